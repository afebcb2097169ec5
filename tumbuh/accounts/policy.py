"""The one place that decides who may see and do what.

Every user has one role bound to one wilayah node. They see the node's subtree (a puskesmas
officer: the desa their puskesmas serves), plus, for district-wide reference objects such as
OPD and TPPS, the nodes above it. Views and querysets ask this module; none re-implements it.

- ``visible(user, queryset)`` narrows any scoped queryset.
- ``can(user, action, target)`` answers for an object or a model class.
- ``get_object_or_404(user, model, **lookup)`` returns 404 for what the user may not see;
  ``require(user, action, obj)`` raises 403 for what they may see but not do.

Tumbuh itself (the demo seed, loaders, batch commands) acts as ``SYSTEM``, an explicit actor
the policy lets do everything; no code path passes ``None`` to skip the question.

**Personal rows and the province.** Every scoped model says whether its rows are personal data
of children, families or people (``personal_data = True``: a child, a visit, a KRS family, a
user …) or not (``personal_data = False``, with ``personal_data_reason`` when its fields look
personal: an official named in a decree); ``personal_data = "attachment"`` makes an uploaded
file as personal as the record it is attached to (``personal_rows``).
``accounts/tests/test_personal_data.py`` holds the contract. A province user (``Role.PROVINCE``,
TPPS or Bappeda provinsi, bound to a province node) sees every district of the province through
their figures and plans, never a personal row: ``scope_q`` and ``is_visible`` return none of
them, ``can(user, "view", Child)`` is False and ``require`` refuses with ``PERSONAL_REFUSED``,
unless the setting ``TUMBUH_PROVINCE_CHILD_ROWS`` (default off) grants the province those rows,
read-only. The province changes nothing unless a model's rule names it: ``province_in_node``
(or ``roles_in_node(Role.PROVINCE, …)``) marks a rule with ``allows_province``; every other
rule, whatever it answers, is refused to the province for add, change and delete.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah, ancestor_codes

from .models import Role, User

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)


# ---------------------------------------------------------------- the system itself


class SystemActor:
    """Tumbuh itself, acting without a person: the demo seed, the catalogue loaders, batch
    commands and the recomputations that follow an import. The policy allows it everything;
    the audit log names it "sistem". There is one, ``SYSTEM``."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = True
    is_staff = False
    pk = id = None
    role = ""
    wilayah_id = puskesmas_id = opd_id = None

    def __str__(self) -> str:
        return "sistem"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


# ---------------------------------------------------------------- the user's node


def is_global(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def node_code(user) -> str | None:
    if not user.is_authenticated or is_global(user):
        return None
    return user.wilayah_id


def _served_desa(user) -> list[str]:
    cached = getattr(user, "_served_desa_cache", None)
    if cached is None:
        cached = user.puskesmas.desa_codes() if user.puskesmas_id else []
        user._served_desa_cache = cached
    return cached


def node_contains(user, code: str | None) -> bool:
    """Whether the region ``code`` lies inside the user's node."""
    if code is None or not user.is_authenticated:
        return False
    if is_global(user):
        return True
    if not user.role or not user.wilayah_id:
        return False
    if user.role == Role.PUSKESMAS:
        return any(code == d or code.startswith(d + ".") for d in _served_desa(user))
    node = user.wilayah_id
    return code == node or code.startswith(node + ".")


def node_reaches(user, code: str | None) -> bool:
    """Inside the node, or one of its ancestors (for district-wide reference objects)."""
    if node_contains(user, code):
        return True
    if code is None or not user.is_authenticated or not user.wilayah_id:
        return False
    return code in ancestor_codes(user.wilayah_id) or (user.role == Role.PUSKESMAS and code == user.wilayah_id)


# ---------------------------------------------------------------- personal rows


def personal_kind(model) -> bool | str:
    """The model's ``personal_data``: True, False, or ``"attachment"`` (as personal as the record
    a row is attached to through ``content_type``)."""
    return getattr(model, "personal_data", False)


def personal_models() -> list[type[models.Model]]:
    """The scoped models whose rows are personal data (``personal_data = True``)."""
    return [m for m in apps.get_models() if getattr(m, "scope_path", None) is not None and personal_kind(m) is True]


def province_sees_personal_rows() -> bool:
    """Whether the province reads the personal rows of its districts (``TUMBUH_PROVINCE_CHILD_ROWS``,
    default off: it reads figures, plans and meetings only)."""
    return bool(getattr(settings, "TUMBUH_PROVINCE_CHILD_ROWS", False))


def withholds_personal_rows(user) -> bool:
    """Whether ``user``'s role sees no personal rows at all (the province, unless granted)."""
    return user.is_authenticated and user.role == Role.PROVINCE and not province_sees_personal_rows()


def sees_rows_of(model) -> Callable[[object], bool]:
    """A menu entry's ``when``: shown to the users who may see ``model``'s rows (the province
    sees no page of children, families or people)."""

    def when(user) -> bool:
        return can(user, VIEW, model)

    return when


def _attachment_is_personal(obj) -> bool:
    model = obj.content_type.model_class() if obj.content_type_id else None
    return model is not None and personal_kind(model) is True


def _is_personal_row(obj) -> bool:
    """Whether the object is a personal row: of a personal model, or a file attached to one."""
    kind = personal_kind(type(obj))
    return kind is True or (kind == "attachment" and _attachment_is_personal(obj))


def _personal_attachment_q() -> Q:
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(*personal_models()).values()
    return Q(content_type__in=[t.pk for t in types])


# ---------------------------------------------------------------- scoping objects


def _wilayah_code_of(obj) -> str | None:
    path = getattr(type(obj), "scope_path", None)
    if path is None:
        raise TypeError(f"{type(obj).__name__} declares no scope_path")
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    value = obj
    for hop in hops:
        value = getattr(value, hop, None)
        if value is None:
            return None
    if hasattr(value, f"{last}_id"):  # a foreign key: read its code without a query
        return getattr(value, f"{last}_id")
    return getattr(value, last, None)


def _puskesmas_model():
    return apps.get_model("organisation", "Puskesmas")


def _import_batch_model():
    return apps.get_model("imports", "ImportBatch")


def is_visible(user, obj) -> bool:
    if not user.is_authenticated:
        return False
    if is_global(user):
        return True
    model = type(obj)
    if model is _puskesmas_model():
        if user.role == Role.PUSKESMAS:
            return obj.pk is not None and obj.pk == user.puskesmas_id
        if node_contains(user, obj.kecamatan_id):
            return True
        return obj.pk is not None and any(node_contains(user, c) for c in obj.desa_codes())
    if model is User and obj.pk == user.pk:
        return True
    if withholds_personal_rows(user) and _is_personal_row(obj):
        return False
    if model is _import_batch_model() and user.role == Role.PUSKESMAS:
        return obj.created_by_id == user.pk  # their own measurement imports
    if _own_puskesmas_row(user, model, obj):
        return True
    code = _wilayah_code_of(obj)
    if getattr(model, "scope_reaches_up", False):
        return node_reaches(user, code)
    return node_contains(user, code)


def scope_q(user, model: type[models.Model]) -> Q:
    """A Q that keeps only the rows of ``model`` the user may see."""
    nothing = Q(pk__in=[])
    if not user.is_authenticated:
        return nothing
    if is_global(user):
        return Q()
    if not user.role or not user.wilayah_id:
        return nothing
    if model is _puskesmas_model():
        if user.role == Role.PUSKESMAS:
            return Q(pk=user.puskesmas_id)
        return Wilayah.subtree_q(user.wilayah_id, "kecamatan__") | Q(
            desa__in=Wilayah.objects.filter(Wilayah.subtree_q(user.wilayah_id)).values("code")
        )
    if model is _import_batch_model() and user.role == Role.PUSKESMAS:
        return Q(created_by=user)
    if withholds_personal_rows(user):
        kind = personal_kind(model)
        if kind is True:
            return Q(pk=user.pk) if model is User else nothing
        if kind == "attachment":
            return _scope_q(user, model) & ~_personal_attachment_q()
    return _scope_q(user, model)


def _scope_q(user, model: type[models.Model]) -> Q:
    path = getattr(model, "scope_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} declares no scope_path")
    prefix = f"{path}__" if path else ""
    if path == "wilayah_code":  # a plain code column, e.g. the audit log
        q = _code_column_q(user, path)
        if user.role == Role.PUSKESMAS and user.puskesmas_id and getattr(model, "scope_puskesmas_rows", False):
            q |= Q(level="puskesmas", code=str(user.puskesmas_id))
        return q
    if user.role == Role.PUSKESMAS:
        q = Q(**{f"{prefix}code__in": _served_desa(user)})
    else:
        q = Wilayah.subtree_q(user.wilayah_id, prefix)
    if getattr(model, "scope_reaches_up", False):
        q |= Q(**{f"{prefix}code__in": [*ancestor_codes(user.wilayah_id), user.wilayah_id]})
    if model is User:
        q |= Q(pk=user.pk)
    return q


def _own_puskesmas_row(user, model, obj) -> bool:
    """A figure about a puskesmas (``scope_puskesmas_rows``: rows with ``level == "puskesmas"``
    keyed by the puskesmas id in ``code``) lies in its kecamatan, which its officer does not
    see as a whole; the officer sees their own puskesmas's row all the same."""
    return (
        user.role == Role.PUSKESMAS
        and getattr(model, "scope_puskesmas_rows", False)
        and user.puskesmas_id is not None
        and obj.level == "puskesmas"
        and obj.code == str(user.puskesmas_id)
    )


def _code_column_q(user, column: str) -> Q:
    codes = _served_desa(user) if user.role == Role.PUSKESMAS else [user.wilayah_id]
    q = Q(pk__in=[])
    for c in codes:
        q |= Q(**{column: c}) | Q(**{f"{column}__startswith": c + "."})
    return q


def visible(user, queryset: models.QuerySet) -> models.QuerySet:
    qs = queryset.filter(scope_q(user, queryset.model))
    if queryset.model is _puskesmas_model() and not is_global(user) and user.role != Role.PUSKESMAS:
        qs = qs.distinct()
    return qs


def district_desa(user, kabupaten_code: str) -> models.QuerySet:
    """The desa of the district ``kabupaten_code`` that ``user`` sees (a desa operator: their
    own; a puskesmas officer: those their puskesmas serves), unordered."""
    return visible(user, Wilayah.objects.filter(level=Level.DESA, kabupaten_code=kabupaten_code))


def get_object_or_404(user, model_or_qs, **lookup):
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    if withholds_personal_rows(user) and personal_kind(qs.model) is True and qs.model is not User:
        raise PermissionDenied(PERSONAL_REFUSED)  # a child's, a family's page: not for the province
    try:
        return visible(user, qs).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404 from None


# ---------------------------------------------------------------- what each role may do

Rule = Callable[[User, object], bool]


def _admin(user, obj) -> bool:
    return user.role == Role.DISTRICT_ADMIN


def _own_opd(user, obj) -> bool:
    return _admin(user, obj) or (user.role == Role.OPD and obj is not None and obj.pk == user.opd_id)


def _own_posyandu(user, obj) -> bool:
    if _admin(user, obj):
        return True
    if user.role != Role.PUSKESMAS:
        return False
    return obj is None or obj.puskesmas_id == user.puskesmas_id


def can_see_nik(user, child=None) -> bool:
    """Whether ``user`` may read ``child``'s full NIK (personal data under UU PDP 27/2022).

    Only the roles that register children (district admin, puskesmas officer, desa operator)
    and only within their scope; everyone else sees ``child.nik_masked``. Without ``child``,
    whether the role may ever see full NIKs (e.g. to search by NIK)."""
    if not user.is_authenticated:
        return False
    if is_global(user):
        return True
    if user.role not in (Role.DISTRICT_ADMIN, Role.PUSKESMAS, Role.DESA) or not user.wilayah_id:
        return False
    return child is None or is_visible(user, child)


#: Import kinds a puskesmas officer may run, for the desa their puskesmas serves.
PUSKESMAS_IMPORT_KINDS = ("eppgbm",)


def _import(user, obj) -> bool:
    """District admins import every list; puskesmas officers import measurements (e-PPGBM)
    and see their own batches (the scope check keeps them to those)."""
    if _admin(user, obj):
        return True
    return user.role == Role.PUSKESMAS and obj is not None and obj.kind in PUSKESMAS_IMPORT_KINDS


def _manage_user(user, obj) -> bool:
    return _admin(user, obj) and (obj is None or not obj.is_superuser)


def _nobody(user, obj) -> bool:
    return False


# ---------------------------------------------------------------- rules for apps' permissions.py

#: The district admin (TPPS secretariat) only.
district_admin = _admin
#: Nobody but the system (and superusers).
nobody = _nobody


def roles_in_node(*roles: str) -> Rule:
    """The district admin, or a user of one of ``roles`` whose node contains the object's
    wilayah (``scope_path``); for a model class (creating), the role alone decides. Naming
    ``Role.PROVINCE`` among ``roles`` lets the province act (``allows_province``)."""

    def rule(user, obj) -> bool:
        if _admin(user, obj):
            return True
        if user.role not in roles:
            return False
        return obj is None or node_contains(user, _wilayah_code_of(obj))

    rule.allows_province = Role.PROVINCE in roles  # type: ignore[attr-defined]
    return rule


def province_in_node(other: Rule | None = None) -> Rule:
    """A province user whose province contains the object's wilayah (``scope_path``; for a model
    class, the role alone), or whoever ``other`` allows (e.g. ``district_admin``): the one way
    a rule lets the province add, change or delete (the province's own records, such as its
    penilaian kinerja of the districts)."""

    def rule(user, obj) -> bool:
        if user.role == Role.PROVINCE:
            return obj is None or node_contains(user, _wilayah_code_of(obj))
        return other(user, obj) if other is not None else False

    rule.allows_province = True  # type: ignore[attr-defined]
    return rule


def own_opd(attr: str = "opd_id") -> Rule:
    """The district admin, or OPD staff on objects of their own OPD (``obj.<attr>``)."""

    def rule(user, obj) -> bool:
        if _admin(user, obj):
            return True
        return user.role == Role.OPD and bool(user.opd_id) and (obj is None or getattr(obj, attr) == user.opd_id)

    return rule


@cache
def rules() -> dict[type, dict[str, Rule]]:
    """Who may add, change and delete each kind of object (viewing is scoping alone).

    The rules of the foundation's models are listed here; every other app declares its own in
    a ``permissions.py`` module (the ``permissions`` contract of ``core/contracts.py``) with a
    ``RULES`` function returning the same kind of mapping (model → {action: rule}), built from
    the rule functions of this module. An app cannot override another app's rules: a model
    declared twice is an error."""
    from tumbuh.core.contracts import app_modules

    table = _core_rules()
    for module in app_modules("permissions"):
        for model, model_rules in module.RULES().items():
            if model in table:
                raise ImproperlyConfigured(f"{module.__name__} declares {model.__name__} again")
            table[model] = model_rules
    return table


def _core_rules() -> dict[type, dict[str, Rule]]:
    Opd = apps.get_model("organisation", "Opd")
    Puskesmas = apps.get_model("organisation", "Puskesmas")
    Posyandu = apps.get_model("organisation", "Posyandu")
    AuditLog = apps.get_model("audit", "AuditLog")
    ImportBatch = apps.get_model("imports", "ImportBatch")
    system_only: dict[str, Rule] = {ADD: _nobody, CHANGE: _nobody, DELETE: _nobody}
    return {
        Wilayah: system_only,  # the region tree: loaded by the system (load_regions), read-only in the app
        Opd: {ADD: _admin, CHANGE: _own_opd, DELETE: _admin},
        Puskesmas: {ADD: _admin, CHANGE: _admin, DELETE: _admin},
        Posyandu: {ADD: _own_posyandu, CHANGE: _own_posyandu, DELETE: _own_posyandu},
        User: {VIEW: _admin, ADD: _manage_user, CHANGE: _manage_user, DELETE: _manage_user},
        AuditLog: {VIEW: _admin, **system_only},  # written by do_save/do_delete themselves, never edited
        # Lists: district admins; measurements: also puskesmas. The batch's progress and result
        # are written by the import framework itself; nobody edits or deletes a batch.
        ImportBatch: {VIEW: _import, ADD: _import, CHANGE: _nobody, DELETE: _nobody},
    }


def can(user, action: str, target) -> bool:
    """May ``user`` do ``action`` on ``target`` (an object, or a model class for lists and
    creation)?"""
    if action not in ACTIONS:
        raise ValueError(action)
    if not user.is_authenticated:
        return False
    if is_global(user):
        return True
    if not user.role or not user.wilayah_id:
        return False
    model = target if isinstance(target, type) else type(target)
    obj = None if isinstance(target, type) else target
    if obj is not None and not is_visible(user, obj):
        return False
    if obj is None and withholds_personal_rows(user) and personal_kind(model) is True:
        return False  # the province's pages of children, families and people
    rule = rules().get(model, {}).get(action)
    if action == VIEW:
        return rule(user, obj) if rule else True
    if user.role == Role.VIEWER or rule is None:
        return False
    if user.role == Role.PROVINCE and not getattr(rule, "allows_province", False):
        return False  # read-only, unless the rule names the province
    return rule(user, obj)


#: Why ``require`` refused, as the 403 page says it (``PermissionDenied``'s message), never naming
#: the object: it lies outside the user's area (or above it, in a record of the whole district
#: that the area only reads); the user's role may not do that; the account has no role or area.
OUTSIDE_AREA = _("This is outside your area.")
ROLE_REFUSED = _("Your role may not open this page or do this here.")
NO_ROLE = _("Your account has no role or area yet.")
PERSONAL_REFUSED = _("Your role sees the districts' figures, not the records of children, families or people.")


def refusal(user, target):
    """Why ``user`` may not act on ``target`` (asked once ``can`` said no): ``OUTSIDE_AREA`` when
    the object lies outside the user's area, or is a record above it that it only sees
    (``scope_reaches_up``, the district's TPPS seen from a kecamatan); ``NO_ROLE`` for an
    account bound to nothing; else ``ROLE_REFUSED``."""
    if not user.is_authenticated or not (is_global(user) or (user.role and user.wilayah_id)):
        return NO_ROLE
    model = target if isinstance(target, type) else type(target)
    if withholds_personal_rows(user) and (
        personal_kind(model) is True if isinstance(target, type) else _is_personal_row(target)
    ):
        return PERSONAL_REFUSED
    if isinstance(target, type):
        return ROLE_REFUSED
    if not is_visible(user, target):
        return OUTSIDE_AREA
    if getattr(type(target), "scope_reaches_up", False):
        try:
            code = _wilayah_code_of(target)
        except TypeError:
            code = None
        if code is not None and not node_contains(user, code):
            return OUTSIDE_AREA
    return ROLE_REFUSED


def require(user, action: str, target) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may do ``action`` on ``target``, with the reason
    (``refusal``: outside the user's area, or not for the user's role). ``user`` is a person or
    ``SYSTEM``; ``None`` is a programming error, not a way to skip the question."""
    if user is None:
        raise TypeError("policy.require needs an actor: a user, or policy.SYSTEM for Tumbuh itself")
    if not can(user, action, target):
        raise PermissionDenied(refusal(user, target))
