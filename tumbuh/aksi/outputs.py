"""The documents Tumbuh itself holds for an action of a year: generated (a decree, a plan in
Excel, a berita acara) or uploaded back to a domain object (a signed scan).

Any app may define ``<app>/aksi_outputs.py`` with ``outputs(kabupaten, year, user)`` returning
a list of :class:`Output`, each naming the action page it belongs to by the keys of
``aksi.pages.PAGES`` (an action definition points at one of them). An app lists only what
``user`` may view (``policy.visible``, the app's own view rules), and cheaply: no document is
built until its link is followed (the ``aksi_outputs`` contract of ``core/contracts.py``).
:func:`collect` gathers them.

The same modules prove an action's required outputs: ``PROVES`` names what an app can check
(``"rembuk.berita-acara"`` → "the signed berita acara of the district's rembuk is filed") and
``proofs(kabupaten, year, user, today)`` returns a :class:`Proof` for each record that proves
it, with its link. A required output that names such a key (``OutputItem.proof``) ticks itself
(``aksi.checklist``); :func:`provable` and :func:`collect_proofs` gather them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format

from tumbuh.accounts import policy
from tumbuh.core.contracts import app_modules

from .pages import PAGES

GENERATED, UPLOADED = "generated", "uploaded"
KINDS = (GENERATED, UPLOADED)


@dataclass(frozen=True)
class Output:
    """One document of an action's year, with the link that downloads (or shows) it."""

    page: str  #: the action page it belongs to: a key of ``aksi.pages.PAGES``
    title: str
    url: str
    kind: str  #: GENERATED (built by Tumbuh when the link is followed) or UPLOADED (a filed file)
    format: str  #: "PDF", "DOCX", "XLSX", "CSV", "HTML"…
    note: str = ""  #: status or date, e.g. "closed on 15 April 2026"
    group: str = ""  #: a heading the page lists it under, e.g. one rembuk
    also: tuple[tuple[str, str], ...] = ()  #: the same document in other formats: (format, url)
    final: bool = False  #: settled (signed, closed, published): it can prove a required output


@dataclass(frozen=True)
class Proof:
    """A record Tumbuh holds that proves a required output of a year (the item whose
    ``OutputItem.proof`` is ``key``), with the link to it."""

    key: str  #: what it proves: a key of the app's ``PROVES``
    title: str  #: the record, as a page names it: "Berita acara bertanda tangan"
    url: str  #: its page or its document
    note: str = ""  #: when or how much, e.g. "filed on 20 April 2026"


def day_of(value) -> datetime.date:
    """The day of a date, or of a moment in local time."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def day(value) -> str:
    """A date, or a moment in local time, as the pages write dates ("15 April 2026")."""
    return date_format(day_of(value), "j F Y")


def number(n: int) -> str:
    """A count as the pages write counts, with the language's thousands separator ("1.070")."""
    return number_format(n, force_grouping=True)


def uploaded(page: str, document, *, note: str = "", group: str = "", final: bool = False) -> Output:
    """An :class:`~tumbuh.documents.models.UploadedDocument` as an output (downloaded through
    ``documents:download``, which asks the policy again)."""
    suffix = PurePath(document.file.name).suffix.lstrip(".").upper()
    return Output(
        page=page,
        title=document.title,
        url=reverse("documents:download", args=(document.pk,)),
        kind=UPLOADED,
        format=suffix or "?",
        note=note,
        group=group,
        final=final,
    )


def _modules() -> tuple[ModuleType, ...]:
    return app_modules("aksi_outputs")


def collect_all(kabupaten, year: int, user) -> dict[str, list[Output]]:
    """Every app's outputs for ``kabupaten``'s ``year`` that ``user`` may see, by page key.

    Nothing for a user outside the district (above it: a superuser)."""
    if not policy.node_reaches(user, kabupaten.code):
        return {}
    found: dict[str, list[Output]] = defaultdict(list)
    for module in _modules():
        for output in module.outputs(kabupaten, year, user):
            if output.page not in PAGES or output.kind not in KINDS:
                raise ImproperlyConfigured(f"{module.__name__}: {output.page!r}/{output.kind!r} is no page key/kind")
            found[output.page].append(output)
    return {page: _by_group(listed) for page, listed in found.items()}


def _by_group(listed: list[Output]) -> list[Output]:
    """Outputs without a group first, then each group together, in the order they came."""
    first = {}
    for output in listed:
        first.setdefault(output.group, len(first))
    return sorted(listed, key=lambda o: (o.group != "", first[o.group]))


def collect(kabupaten, year: int, user, page_key: str) -> list[Output]:
    """The outputs of the action whose Tumbuh page is ``page_key``."""
    if not page_key:
        return []
    return collect_all(kabupaten, year, user).get(page_key, [])


def provable() -> dict[str, str]:
    """Every proof key an app can check → what Tumbuh checks, in the reader's language.

    A key two apps declare is an error: a required output must be proved by one record."""
    found: dict[str, str] = {}
    for module in _modules():
        for key, what in module.PROVES.items():
            if key in found:
                raise ImproperlyConfigured(f"{module.__name__}: the proof key {key!r} is declared twice")
            found[key] = str(what)
    return found


def collect_proofs(
    kabupaten, year: int, user, *, today: datetime.date, keys: set[str] | None = None
) -> dict[str, list[Proof]]:
    """The records that prove ``keys`` (every key when None) for ``kabupaten``'s ``year``, as
    ``user`` sees them on ``today``: proof key → proofs. Only the apps that declare one of
    ``keys`` are asked. Nothing for a user outside the district."""
    if keys is not None and not keys or not policy.node_reaches(user, kabupaten.code):
        return {}
    found: dict[str, list[Proof]] = defaultdict(list)
    for module in _modules():
        if keys is not None and not keys & set(module.PROVES):
            continue
        for proof in module.proofs(kabupaten, year, user, today):
            if proof.key not in module.PROVES:
                raise ImproperlyConfigured(f"{module.__name__}: {proof.key!r} is not in its PROVES")
            if keys is None or proof.key in keys:
                found[proof.key].append(proof)
    return dict(found)
