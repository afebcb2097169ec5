"""The per-app contracts, written down in one place (in the manner of Datasette's ``hookspecs.py``).

An app of Tumbuh takes part in something another app owns by defining a module of an agreed
name: ``tumbuh/<app>/<contract>.py``. The app that owns the contract finds those modules with
:func:`app_modules` and never names the apps that provide them, so a lower layer (the
foundation, or an earlier step of the convergence cycle) reads what a higher one contributes
without importing it. Each contract is a :class:`typing.Protocol` below, listed in
:data:`CONTRACTS` under its module name; ``core/tests/test_contracts.py`` checks every module
found against its Protocol.

========================  =======================  ==============================================
module                    Protocol                 read by
========================  =======================  ==============================================
``permissions``           :class:`Permissions`     ``accounts.policy.rules``
``navigation``            :class:`Navigation`      ``core.navigation`` (the menu, the home page)
``login_shortcuts``       :class:`LoginShortcuts`  the login page in demo mode, browser tests
``importers``             :class:`Importers`       ``imports`` at start-up (the import kinds)
``demo_data``             :class:`DemoData`        ``demo.generator.seed_app_demos``
``aksi_outputs``          :class:`AksiOutputs`     ``aksi.outputs`` (Pantau Aksi, its checklists)
``cycle_inputs``          :class:`CycleInputs`     Aksi 1 (the situation page, the Master Ansit)
========================  =======================  ==============================================
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.apps import apps

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from .navigation import Entry

#: Apps whose modules take part: Tumbuh's own (a third-party app's ``navigation`` is not ours).
PACKAGE = "tumbuh."


@runtime_checkable
class Permissions(Protocol):
    """``<app>/permissions.py``: who may add, change and delete the app's models.

    ``RULES()`` maps each model to ``{action: rule}`` (actions: ``policy.ADD``, ``CHANGE``,
    ``DELETE`` and, where viewing is narrower than scoping, ``VIEW``), the rules built from the
    rule functions of ``accounts.policy`` (``district_admin``, ``nobody``, ``roles_in_node``,
    ``own_opd``). A model declared by two apps is an error; every scoped model must have a rule
    for each of add, change and delete (``policy.nobody`` when only the system writes it)."""

    def RULES(self) -> Mapping[type[Model], Mapping[str, Callable[[Any, Any], bool]]]: ...


@runtime_checkable
class Navigation(Protocol):
    """``<app>/navigation.py``: the app's links in the menu.

    ``entries()`` returns :class:`core.navigation.Entry` items, each naming its menu section
    (``CYCLE``, ``DATA``, ``TPPS``, ``SETTINGS``), its place in it, a title and a URL name; an
    entry may be shown only to some users (``when(user)``). An entry that is one of the eight
    convergence actions (``action=n``) is also listed on the home page; an app that does an
    action's work replaces the action's ``fallback`` entry (its Pantau Aksi page)."""

    def entries(self) -> Iterable[Entry]: ...


@runtime_checkable
class LoginShortcuts(Protocol):
    """``<app>/login_shortcuts.py``: accounts the login page lists when ``settings.DEMO_MODE``
    is set (never in production), all with one ``PASSWORD``. Each account has ``username``,
    ``role_label`` and ``where`` (the place it works). At most one app provides them: the demo."""

    PASSWORD: str
    ACCOUNTS: Sequence[Any]


@runtime_checkable
class Importers(Protocol):
    """``<app>/importers.py``: importing the module registers the app's import kinds (each an
    ``imports.framework.Importer`` subclass decorated with ``@imports.framework.register``).
    It needs no other member; the test checks that each such module registers a kind."""


@runtime_checkable
class DemoData(Protocol):
    """``<app>/demo_data.py``: the app's demo records, added after the demo districts, accounts
    and children exist, in INSTALLED_APPS order. ``seed(seed)`` is idempotent (a second
    ``make demo`` changes nothing) and writes through the audited actions."""

    def seed(self, seed: int) -> None: ...


@runtime_checkable
class AksiOutputs(Protocol):
    """``<app>/aksi_outputs.py``: the documents Tumbuh holds for a convergence action of a year,
    and the records that prove an action's required outputs.

    - ``outputs(kabupaten, year, user)`` lists ``aksi.outputs.Output`` items, each naming the
      action page it belongs to (a key of ``aksi.pages.PAGES``), only those ``user`` may view,
      and cheaply: no document is built until its link is followed.
    - ``PROVES`` maps each proof key the app can check (``"<app>.<what>"``) to what it checks,
      in words (shown beside a required output not proved yet); a required output of an action
      (``aksi.OutputItem.proof``) names one, and then ticks itself.
    - ``proofs(kabupaten, year, user, today)`` lists an ``aksi.outputs.Proof`` for each record
      that proves one of those keys for ``kabupaten``'s ``year``, as ``user`` sees it (only what
      they may view) on ``today``, each with the link to the record. An app that proves nothing
      has an empty ``PROVES`` and no proofs."""

    PROVES: Mapping[str, Any]

    def outputs(self, kabupaten, year: int, user) -> list: ...

    def proofs(self, kabupaten, year: int, user, today) -> list: ...


@runtime_checkable
class CycleInputs(Protocol):
    """``<app>/cycle_inputs.py``: what a later step of the convergence cycle hands back to its
    first step (Aksi 1, the situation analysis), which lies below it in the layers and so
    cannot import it. An app that holds nothing of a kind returns an empty result.

    - ``plan_activities(user, kabupaten_code, year)``: the activities of the district's plan
      for ``year`` (Aksi 2) that ``user`` may view, for the Master Ansit's program sheet.
    - ``review_recommendations(kabupaten_code, year)``: the recommendations that seed
      ``year``'s situation analysis (those of the annual review of ``year - 1``, Aksi 8)."""

    def plan_activities(self, user, kabupaten_code: str, year: int) -> QuerySet | list: ...

    def review_recommendations(self, kabupaten_code: str, year: int) -> list: ...


#: Every contract: module name → its Protocol.
CONTRACTS: dict[str, type] = {
    "permissions": Permissions,
    "navigation": Navigation,
    "login_shortcuts": LoginShortcuts,
    "importers": Importers,
    "demo_data": DemoData,
    "aksi_outputs": AksiOutputs,
    "cycle_inputs": CycleInputs,
}


@cache
def app_modules(contract: str) -> tuple[ModuleType, ...]:
    """The ``<app>.<contract>`` modules of Tumbuh's installed apps, in INSTALLED_APPS order.

    An app without the module is skipped; a module that exists but fails to import raises."""
    if contract not in CONTRACTS:
        raise ValueError(f"{contract!r} is no contract of tumbuh.core.contracts")
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith(PACKAGE):
            continue
        name = f"{config.name}.{contract}"
        try:
            found.append(import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
    return tuple(found)


def members(protocol: type) -> dict[str, inspect.Signature | None]:
    """A contract's members: name → the signature of a function (without ``self``), or None
    for a plain attribute."""
    found: dict[str, inspect.Signature | None] = {name: None for name in inspect.get_annotations(protocol)}
    for name, value in vars(protocol).items():
        if inspect.isfunction(value) and not name.startswith("_"):
            signature = inspect.signature(value)
            found[name] = signature.replace(parameters=list(signature.parameters.values())[1:])
    return found


def breaches(contract: str, module: ModuleType) -> list[str]:
    """What ``module`` lacks to satisfy ``contract``: a missing member, a function that is not
    callable, or one whose parameters are not the contract's (by name and order)."""
    out = []
    for name, signature in members(CONTRACTS[contract]).items():
        if not hasattr(module, name):
            out.append(f"{module.__name__} has no {name}")
        elif signature is not None:
            value = getattr(module, name)
            if not callable(value):
                out.append(f"{module.__name__}.{name} is not callable")
            elif list(inspect.signature(value).parameters) != list(signature.parameters):
                out.append(f"{module.__name__}.{name}{inspect.signature(value)} is not {name}{signature}")
    return out
