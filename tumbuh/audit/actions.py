"""The only way Tumbuh changes stored objects: ask the policy, validate, write and audit, in
one transaction.

Domain apps call ``do_save`` and ``do_delete``. Each asks the policy itself: adding needs
``add`` on the new object; changing needs ``change`` on the object as stored *and* as it will
be stored (yours before and yours after, so nobody moves a record out of their area or takes
one in); deleting needs ``delete``. Every create, update and delete leaves one ``AuditLog`` row
with who, when, what (fields before and after) and why. ``actor`` is a user or
``policy.SYSTEM`` (Tumbuh itself), never ``None``.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from tumbuh.accounts import policy

from .models import AuditAction, AuditLog

#: Fields that never go into the log in clear text.
SECRET_FIELDS = {"password"}


def _json_value(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # an uploaded file: its stored name
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict:
    """The stored fields of ``obj`` (foreign keys as ids, many-to-many as sorted id lists)."""
    data: dict[str, object] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            data[field.name] = "••••" if getattr(obj, field.attname) else ""
            continue
        data[field.name] = _json_value(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(_json_value(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
    return data


def _wilayah_code(obj) -> str:
    from tumbuh.accounts.policy import _wilayah_code_of

    if type(obj).__name__ == "Puskesmas":
        return obj.kecamatan_id or ""
    try:
        return _wilayah_code_of(obj) or ""
    except TypeError:
        return ""


def _no_nobody(actor) -> None:
    if actor is None:
        raise TypeError("a write needs an actor: a user, or policy.SYSTEM for Tumbuh itself")


def require_step(actor, step: tuple) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``step``: (action, target) is asked
    of the policy; (rule, argument) is a named rule of the app that owns the step (e.g.
    ``(indikator.permissions.may_compute, "73.24")``), which the system and superusers pass as
    they pass every rule of the policy."""
    _no_nobody(actor)
    action, target = step
    if not callable(action):
        policy.require(actor, action, target)
    elif not (policy.is_global(actor) or action(actor, target)):
        raise PermissionDenied


def record(
    actor, action: str, obj: models.Model, before: dict | None, after: dict | None, reason: str = ""
) -> AuditLog:
    return record_about(
        actor,
        action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        wilayah_code=_wilayah_code(obj),
        before=before,
        after=after,
        reason=reason,
    )


def record_about(
    actor,
    action: str,
    *,
    object_type: str,
    object_id: str,
    object_repr: str,
    wilayah_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditLog:
    """The audit row itself, for a write that is not one object's (a bulk insert): ``actor``
    a user, or ``policy.SYSTEM``, logged as "sistem" with no user."""
    _no_nobody(actor)
    return AuditLog.objects.create(
        actor=actor if actor.pk else None,
        actor_name=str(actor)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        wilayah_code=wilayah_code,
        before=before,
        after=after,
        reason=reason or "",
    )


def do_save(
    actor,
    obj: models.Model,
    *,
    m2m: Mapping[str, Iterable] | None = None,
    reason: str = "",
    validate: bool = True,
    permitted_by: tuple | None = None,
) -> models.Model:
    """Create or update ``obj`` (and set its many-to-many fields from ``m2m``), audited, if the
    policy lets ``actor`` add it, or change it both as stored and as given.

    ``permitted_by=(action, target)`` names the step this write is part of when the actor's
    right comes from that step and not from the object itself (an OPD reporting progress on a
    follow-up item moves the item's status; filing the last signed scan closes the rembuk).
    The policy is then asked about that step instead; it is never skipped. The step may also
    be a named rule of the owning app with its argument, ``(rule, argument)``.

    An update that changes nothing writes nothing; ``actor=None`` is a TypeError."""
    _no_nobody(actor)
    with transaction.atomic():
        creating = obj._state.adding or obj.pk is None
        before = None
        stored = None
        if not creating:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
            creating = stored is None
        if permitted_by is not None:
            require_step(actor, permitted_by)
        else:
            if stored is not None:
                policy.require(actor, policy.CHANGE, stored)
            policy.require(actor, policy.ADD if creating else policy.CHANGE, obj)
        if validate:
            obj.full_clean(exclude=list(m2m or {}))
        obj.save()
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        after = snapshot(obj)
        if before == after:
            return obj
        record(actor, AuditAction.CREATE if creating else AuditAction.UPDATE, obj, before, after, reason)
    return obj


def do_delete(actor, obj: models.Model, *, reason: str = "", permitted_by: tuple | None = None) -> None:
    """Delete ``obj``, audited, if the policy lets ``actor`` delete it (or do ``permitted_by``,
    as in ``do_save``)."""
    require_step(actor, permitted_by or (policy.DELETE, obj))
    with transaction.atomic():
        before = snapshot(obj)
        record(actor, AuditAction.DELETE, obj, before, None, reason)
        obj.delete()


def all_or_nothing(
    rows: Iterable[tuple[Hashable, Callable[[], bool]]], *, raise_denied: bool = False
) -> tuple[int, dict]:
    """For a form that saves a whole table: ``rows`` gives (key, write) per row, ``write()``
    saving that row through an action (True if it wrote, False if the row did not change) or
    raising ``ValidationError`` (a row it cannot read, too) or ``PermissionDenied``. All in one
    transaction, rolled back when any row failed, so the table is saved whole or not at all.
    Returns (rows written, {key: what went wrong}). With ``raise_denied`` a row the actor may
    not write refuses the whole table: ``PermissionDenied`` is raised, after the rollback."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    saved, errors = 0, {}
    with transaction.atomic():
        for key, write in rows:
            try:
                saved += bool(write())
            except ValidationError as e:
                errors[key] = " ".join(e.messages)
            except PermissionDenied:
                if raise_denied:
                    raise
                errors[key] = gettext("You may not change this record")
        if errors:
            transaction.set_rollback(True)
    return (0 if errors else saved), errors
