"""Bring what a phone entered offline to the server exactly once, and show every conflict.

``do_sync(actor, device, records)`` takes the records of one request (see docs/offline.md),
each in its own transaction: a crash between two records leaves the earlier ones done, and
sending them again changes nothing. A record is identified by the UUID the phone made; the
same UUID and revision sent again returns the stored answer and writes nothing, also when two
identical requests arrive at once (the unique UUID decides which one writes). A higher revision
of a record that needs attention (fixed on the phone) is evaluated again.

A child is registered through ``measurements.actions.do_register_child`` and a visit recorded
through ``do_record_measurement``, with the user as actor and an audit reason saying that it
came from the phone, which device and which record. Nothing on the server is overwritten
silently: the same child and date with other values, a new child whose NIK is registered, a
child who moved out of the user's area, a record changed on the phone after it was sent, all
wait for a person's choice (``do_choose``). What the server refuses (outside the user's area,
implausible values) comes back with the reason in words, to be fixed on the phone.

The server scores every visit with its own growth engine and compares the result with what the
phone computed; a difference is stored on the record (``mismatch``): a defect, counted by
``tumbuh offline_mismatches``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid as uuidlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.audit.actions import record_about
from tumbuh.audit.models import AuditAction, AuditLog
from tumbuh.core.numbers import round_figure, to_decimal
from tumbuh.measurements import scoring
from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.forms import ASI_FIELDS, ChildForm, MeasurementForm
from tumbuh.measurements.models import Child, Measurement, Source
from tumbuh.measurements.nik import clean_nik, mask_nik
from tumbuh.wilayah.models import Level, Wilayah

from .models import Choice, ConflictKind, Kind, OfflineRecord, State
from .permissions import may_choose

log = logging.getLogger(__name__)

#: The most records one request may carry.
MAX_RECORDS = 50

# ---------------------------------------------------------------- the words

#: A new child the user may not register here: its desa lies outside their area, or its NIK is
#: registered outside it. The same words for both, so that the answer never tells the user that
#: a NIK exists somewhere else.
CANNOT_REGISTER = gettext_lazy("This child cannot be registered in your area.")
#: A visit for a child the user may not see: unknown, or of another area. The same words for both.
NOT_FOUND = gettext_lazy("This child was not found in your area.")
MOVED = gettext_lazy(
    "This child has moved out of your area. A puskesmas officer or the district admin of the child's "
    "area can still record this visit; otherwise discard it."
)
NIK_EXISTS = gettext_lazy(
    "A child with this NIK is already registered: %(name)s (%(id)s), born %(birth)s. Is it the same child?"
)
VISIT_DIFFERS = gettext_lazy(
    "The server already has a visit of this child on %(date)s with other values. Choose which values to keep."
)
CHANGED_AFTER_SENT = gettext_lazy(
    "This record was changed on the phone after it was sent, and the server has other values. "
    "Choose which values to keep."
)
WAITING_CHILD = gettext_lazy(
    "The child's record has not reached the server yet: this visit is sent again at the next sync."
)
CHILD_NEEDS_ATTENTION = gettext_lazy(
    "The child's record needs attention first: this visit is sent again once that is resolved."
)
VISIT_REMOVED = gettext_lazy(
    "This visit was removed on the server after it was sent (entered by mistake): the phone's change is not used."
)
CHILD_DISCARDED = gettext_lazy("The child's record was not used, so this visit has no child on the server.")
NO_CHILD = gettext_lazy('The visit names no child ("child" or "child_uuid").')
BAD_CHILD_UUID = gettext_lazy('The visit\'s "child_uuid" is not a valid identifier.')
NOT_AN_OBJECT = gettext_lazy("A record must be a JSON object.")
BAD_UUID = gettext_lazy('The record has no valid "uuid".')
BAD_REVISION = gettext_lazy('The record\'s "revision" must be a whole number from 1.')
BAD_KIND = gettext_lazy('The record\'s "kind" must be "child" or "visit".')
BAD_DATA = gettext_lazy('The record\'s "data" must be a JSON object.')
TAKEN_UUID = gettext_lazy("This record identifier is already used by another record: the phone must make a new one.")
SAME_REVISION_OTHER_DATA = gettext_lazy(
    "This revision of the record was already sent with other values: the phone must raise the revision."
)
SERVER_ERROR = gettext_lazy("The server could not process this record now: it is sent again at the next sync.")
SERVER_BUSY = gettext_lazy("The server was busy with the same record: it is sent again at the next sync.")
CHOICE_NOT_OFFERED = gettext_lazy("This choice is not offered for this record.")
NOTHING_TO_CHOOSE = gettext_lazy("This record needs no choice (any more).")
REASON_REQUIRED = gettext_lazy("Say why: the reason is kept in the history.")
ONLY_THE_CHILDS_AREA = gettext_lazy(
    "Only a user whose area holds the child can record this visit: a puskesmas officer or the district admin there."
)

#: What each choice did, in the record's reason and the audit's words.
CHOICE_DONE = {
    Choice.KEEP_SERVER: gettext_lazy("The server's values were kept"),
    Choice.USE_PHONE: gettext_lazy("The phone's values were used"),
    Choice.SAME_CHILD: gettext_lazy("Matched with the registered child"),
    Choice.NEW_CHILD: gettext_lazy("Registered as another child, without the NIK"),
    Choice.DISCARD: gettext_lazy("The phone's record was discarded"),
}

# ---------------------------------------------------------------- a record as it arrives


class Unreadable(Exception):
    """A record that cannot be stored at all: no identifier, revision or kind to store it by."""

    def __init__(self, message, uuid=None, revision=None):
        super().__init__(str(message))
        self.uuid, self.revision = uuid, revision


@dataclass(frozen=True)
class Incoming:
    uuid: uuidlib.UUID
    revision: int
    kind: str
    created_at: dt.datetime | None
    data: dict
    phone: dict | None

    @property
    def data_hash(self) -> str:
        return fingerprint(self.data)


def fingerprint(data) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_record(raw) -> Incoming:
    """The record's envelope, or ``Unreadable`` with the reason (and what could be read of it)."""
    if not isinstance(raw, dict):
        raise Unreadable(NOT_AN_OBJECT)
    given = raw.get("uuid")
    try:
        record_id = uuidlib.UUID(str(given)) if isinstance(given, str) else None
    except ValueError:
        record_id = None
    shown = given if isinstance(given, str) and len(given) <= 64 else None
    if record_id is None:
        raise Unreadable(BAD_UUID, shown)
    revision = raw.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or not 1 <= revision <= 1_000_000:
        raise Unreadable(BAD_REVISION, str(record_id))
    kind = raw.get("kind")
    if kind not in Kind.values:
        raise Unreadable(BAD_KIND, str(record_id), revision)
    data = raw.get("data")
    if not isinstance(data, dict):
        raise Unreadable(BAD_DATA, str(record_id), revision)
    created = raw.get("created_at")
    created_at = parse_datetime(created) if isinstance(created, str) and len(created) <= 40 else None
    if created_at is not None and timezone.is_naive(created_at):
        created_at = timezone.make_aware(created_at)
    phone = raw.get("phone") if isinstance(raw.get("phone"), dict) else None
    return Incoming(record_id, revision, kind, created_at, data, phone)


def unreadable_result(error: Unreadable) -> dict:
    return {
        "uuid": error.uuid,
        "revision": error.revision,
        "state": "invalid",
        "reason": str(error),
        "conflict": None,
        "tumbuh_id": None,
        "server": None,
        "choice": None,
    }


# ---------------------------------------------------------------- the sync


def do_sync(actor, device: str, records: list, *, now: dt.datetime, today: dt.date) -> list[dict]:
    """The answer for each of ``records`` (at most ``MAX_RECORDS``), in their order."""
    if len(records) > MAX_RECORDS:
        raise ValidationError(_("At most %(n)d records per request.") % {"n": MAX_RECORDS})
    # Children before visits, whatever order the phone sent them in; the answers in the phone's order.
    order = sorted(range(len(records)), key=lambda i: 0 if _is_child(records[i]) else 1)
    results: list[dict] = [{} for _record in records]
    for i in order:
        results[i] = sync_record(actor, device, records[i], now=now, today=today)
    return results


def _is_child(raw) -> bool:
    return isinstance(raw, dict) and raw.get("kind") == Kind.CHILD


def sync_record(actor, device: str, raw, *, now: dt.datetime, today: dt.date) -> dict:
    """One record, in its own transaction; the answer the phone stores."""
    try:
        incoming = read_record(raw)
    except Unreadable as e:
        return unreadable_result(e)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _sync_locked(actor, device, incoming, now=now, today=today)
        except IntegrityError:
            # Another request stored the same record, a child with the same NIK or a visit on
            # the same date first (its transaction committed): look again.
            continue
        except Exception:  # one record must not stop the others; the phone sends it again
            log.exception("offline record %s could not be processed", incoming.uuid)
            return _transient(incoming, SERVER_ERROR)
    return _transient(incoming, SERVER_BUSY)


def _transient(incoming: Incoming, reason) -> dict:
    return {
        "uuid": str(incoming.uuid),
        "revision": incoming.revision,
        "kind": incoming.kind,
        "state": State.RETRY.value,
        "reason": str(reason),
        "conflict": None,
        "tumbuh_id": None,
        "server": None,
        "choice": None,
    }


def _sync_locked(actor, device: str, incoming: Incoming, *, now, today) -> dict:
    rec = OfflineRecord.objects.select_for_update().filter(uuid=incoming.uuid).first()
    if rec is None:
        rec = OfflineRecord(uuid=incoming.uuid, kind=incoming.kind, author=actor, state=State.RETRY)
        _take(rec, incoming, device)
        rec.save()  # a concurrent request with the same UUID waits here, then fails and looks again
        _evaluate(actor, rec, today=today)
        rec.save()
        return rec.result
    if rec.author_id != actor.pk or rec.kind != incoming.kind:
        return {**_transient(incoming, TAKEN_UUID), "state": "invalid"}
    if incoming.revision < rec.revision:
        return rec.result  # an older revision: the newer one's answer stands
    if incoming.revision == rec.revision:
        if incoming.data_hash != rec.payload_hash:
            return {**_transient(incoming, SAME_REVISION_OTHER_DATA), "state": "invalid"}
        if rec.state != State.RETRY:
            return rec.result  # sent again (a lost answer, a resumed sync): nothing is written
        _evaluate(actor, rec, today=today)  # its child may have arrived since
        rec.save()
        return rec.result
    was_sent = rec.state == State.SENT
    _take(rec, incoming, device)
    if was_sent:
        _evaluate_change(actor, rec, today=today)
    else:
        _evaluate(actor, rec, today=today)
    rec.save()
    return rec.result


def _take(rec: OfflineRecord, incoming: Incoming, device: str) -> None:
    rec.revision = incoming.revision
    rec.payload = incoming.data
    rec.payload_hash = incoming.data_hash
    rec.phone = incoming.phone
    rec.phone_created_at = incoming.created_at
    rec.device = (device or "")[:64]


# ---------------------------------------------------------------- evaluating a record


def _reset(rec: OfflineRecord) -> None:
    rec.state, rec.reason, rec.conflict = State.RETRY, "", None
    rec.server, rec.mismatch, rec.has_mismatch = None, None, False
    rec.child, rec.visit, rec.desa = None, None, None
    rec.choice, rec.chosen_by, rec.chosen_at, rec.choice_reason = "", None, None, ""


def _evaluate(actor, rec: OfflineRecord, *, today: dt.date) -> None:
    _reset(rec)
    if rec.kind == Kind.CHILD:
        _evaluate_child(actor, rec, today=today)
    else:
        _evaluate_visit(actor, rec, today=today)
    _finish(rec)


def _finish(rec: OfflineRecord) -> None:
    if rec.state in (State.SENT, State.DISCARDED):
        _scrub(rec)
    rec.result = result_of(rec)


def _scrub(rec: OfflineRecord) -> None:
    """A record done with keeps no NIK in clear: the child's row holds it, or nobody needs it."""
    if rec.kind == Kind.CHILD and isinstance(rec.payload, dict):
        for field in ("nik", "parent_nik"):
            if rec.payload.get(field):
                rec.payload[field] = mask_nik(clean_nik(rec.payload[field]))


def _attention(rec, kind: str, reason, choices, server=None) -> None:
    rec.state, rec.reason = State.ATTENTION, str(reason)
    rec.conflict = {"kind": str(kind), "server": server, "choices": [str(c) for c in choices]}


def _refused(rec, messages) -> None:
    """Refused by the server's checks: the reason, to fix on the phone (or discard)."""
    _attention(rec, ConflictKind.INVALID, " ".join(str(m) for m in messages), [Choice.DISCARD])


def _retry(rec, reason) -> None:
    rec.state, rec.reason, rec.conflict = State.RETRY, str(reason), None


def _sent(rec) -> None:
    rec.state, rec.reason, rec.conflict = State.SENT, "", None


def _form_messages(form) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        for message in errors:
            out.append(f"{label[:1].upper()}{label[1:]}: {message}" if label else str(message))
    return out


def _sent_words(rec: OfflineRecord, author) -> str:
    """The audit's reason for a child or visit written from a phone's record."""
    when = timezone.localtime(rec.phone_created_at).strftime("%d/%m/%Y %H:%M") if rec.phone_created_at else "—"
    return _(
        "Sent from a phone (offline entry) by %(author)s: entered on the phone on %(when)s, "
        "device %(device)s, record %(uuid)s."
    ) % {"author": author, "when": when, "device": rec.device or "—", "uuid": rec.uuid}


def _text(value, limit: int = 200) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:limit]


def _number_text(value) -> str:
    """A JSON number as the form reads it (``9.6``); text as it came (``9,6``)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else "x"
    if isinstance(value, float):
        return repr(value)
    return _text(value, 30)


# -- a child


_CHILD_FIELDS = ("name", "sex", "birth_date", "parent_name", "nik", "parent_nik", "desa", "posyandu", "rt", "rw")
_CHILD_KEPT = ("birth_order", "parent_phone", "birth_weight", "birth_length")


def _child_form(actor, data: dict, instance: Child, today: dt.date) -> ChildForm:
    sex = data.get("sex")
    sex = {"L": 1, "P": 2, "l": 1, "p": 2}.get(sex, sex) if isinstance(sex, str) else sex
    form_data = {
        "name": _text(data.get("name"), 150).strip(),
        "sex": _text(sex),
        "birth_date": _text(data.get("birth_date"), 20),
        "parent_name": _text(data.get("parent_name"), 150).strip(),
        "nik": _text(data.get("nik"), 24),
        "parent_nik": _text(data.get("parent_nik"), 24),
        "desa": _text(data.get("desa_id"), 20),
        "posyandu": _text(data.get("posyandu_id"), 20),
        "rt": _text(data.get("rt"), 4),
        "rw": _text(data.get("rw"), 4),
        "address": _text(data.get("address"), 200),
    }
    for field in _CHILD_KEPT:  # what the phone does not carry stays as stored
        value = getattr(instance, field)
        form_data[field] = "" if value is None else str(value)
    return ChildForm(form_data, instance=instance, actor=actor, today=today)


def child_summary(child: Child) -> dict:
    """What the cadre may see of a child in their area (the NIK masked)."""
    return {
        "tumbuh_id": child.tumbuh_id,
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "parent_name": child.parent_name,
        "nik_masked": child.nik_masked,
        "desa_id": child.desa_id,
        "desa": child.desa.name if child.desa_id else "",
        "posyandu_id": child.posyandu_id,
        "posyandu": child.posyandu.name if child.posyandu_id else "",
    }


def _desa_outside(actor, code: str) -> bool:
    desa = Wilayah.objects.filter(code=code, level=Level.DESA).first()
    return desa is None or not policy.is_visible(actor, desa)


def _nik_holder(actor, data: dict):
    """(the child in the user's area holding the record's NIK, whether one outside holds it)."""
    nik = clean_nik(_text(data.get("nik"), 24))
    if len(nik) != 16:
        return None, False
    holder = Child.objects.select_related("desa", "posyandu").filter(nik=nik).first()
    if holder is None:
        return None, False
    if policy.is_visible(actor, holder):
        return holder, False
    return None, True


def _evaluate_child(actor, rec: OfflineRecord, *, today: dt.date) -> None:
    data = rec.payload
    code = _text(data.get("desa_id"), 20).strip()
    if code and _desa_outside(actor, code):
        return _attention(rec, ConflictKind.OUTSIDE_AREA, CANNOT_REGISTER, [Choice.DISCARD])
    rec.desa_id = code or None
    holder, elsewhere = _nik_holder(actor, data)
    if elsewhere:
        rec.desa_id = None
        return _attention(rec, ConflictKind.OUTSIDE_AREA, CANNOT_REGISTER, [Choice.DISCARD])
    if holder is not None:
        words = NIK_EXISTS % {
            "name": holder.name,
            "id": holder.tumbuh_id,
            "birth": holder.birth_date.strftime("%d/%m/%Y"),
        }
        choices = [Choice.SAME_CHILD, Choice.NEW_CHILD, Choice.DISCARD]
        return _attention(rec, ConflictKind.NIK_EXISTS, words, choices, server=child_summary(holder))
    _register(actor, rec, Child(), today=today)


def _register(actor, rec: OfflineRecord, instance: Child, *, today: dt.date, nik: str | None = None, words=None):
    """Register (or, ``instance`` stored, correct) the record's child through the measurements' action."""
    form = _child_form(actor, rec.payload, instance, today)
    if nik is not None:
        form.data = {**form.data, "nik": nik}
    if not form.is_valid():
        return _refused(rec, _form_messages(form))
    child = form.save(commit=False)
    try:
        with transaction.atomic():
            do_register_child(actor, child, reason=words or _sent_words(rec, actor), today=today)
    except ValidationError as e:
        return _refused(rec, e.messages)
    except PermissionDenied as e:
        return _refused(rec, [str(e) or policy.ROLE_REFUSED])
    rec.child, rec.desa_id = child, child.desa_id
    rec.server = child_summary(child)
    _sent(rec)


# -- a visit


_VISIT_INPUTS = ("weight", "lenhei", "position", "muac", "headc", "oedema")


def _visit_form(data: dict, instance: Measurement, child: Child, today: dt.date) -> MeasurementForm:
    position = _text(data.get("position"), 2).strip().lower()
    form_data = {
        "date": _text(data.get("date"), 20),
        "weight": _number_text(data.get("weight")),
        "lenhei": _number_text(data.get("lenhei")),
        "position": position,
        "muac": _number_text(data.get("muac")),
        "headc": _number_text(data.get("headc")),
    }
    if data.get("oedema") is True:
        form_data["oedema"] = "on"
    # The services the phone does not carry stay as stored.
    yes_no = {None: "unknown", True: "true", False: "false"}
    for field in ("kia_book", "kelas_ibu_balita", "mbg"):
        form_data[field] = yes_no[getattr(instance, field)]
    form_data["vitamin_a"] = "" if instance.vitamin_a is None else str(instance.vitamin_a)
    months = (instance.asi_months or "").ljust(7, "-")
    for month, name in enumerate(ASI_FIELDS):
        form_data[name] = months[month]
    return MeasurementForm(form_data, instance=instance, child=child, today=today)


def _survivor(child: Child | None) -> Child | None:
    seen = 0
    while child is not None and child.merged_into_id and seen < 10:
        child, seen = Child.all_objects.filter(pk=child.merged_into_id).first(), seen + 1
    return child


def _was_in_area(actor, child: Child) -> bool:
    """Whether the user's area held ``child`` once (a visit measured there, a change recorded
    there): only then may the answer say that it moved; else it is "not found", as an unknown id."""
    if policy.visible(actor, Measurement.all_objects.filter(child=child)).exists():
        return True
    history = AuditLog.objects.filter(object_type="measurements.child", object_id=str(child.pk))
    return policy.visible(actor, history).exists()


def _visit_child(actor, rec: OfflineRecord) -> Child | None:
    """The child the visit is for, or None with the record's state set (retry, attention)."""
    data = rec.payload
    child_uuid, tumbuh_id = data.get("child_uuid"), data.get("child")
    if child_uuid:
        try:
            ref = uuidlib.UUID(str(child_uuid))
        except ValueError:
            return _refused(rec, [BAD_CHILD_UUID])
        parent = OfflineRecord.objects.filter(uuid=ref, author=actor, kind=Kind.CHILD).first()
        if parent is None:
            return _retry(rec, WAITING_CHILD)
        rec.desa_id = parent.desa_id
        if parent.child_id is None:  # not (yet) on the server: waiting for a fix or a choice, or left out
            if parent.state == State.DISCARDED:
                return _attention(rec, ConflictKind.CHILD_DISCARDED, CHILD_DISCARDED, [Choice.DISCARD])
            if parent.state != State.SENT:  # sent, its child since deleted: not found, below
                return _retry(rec, CHILD_NEEDS_ATTENTION)
        # On the server: sent, or sent and changed on the phone since (its visits go to it all the same).
        child = Child.all_objects.filter(pk=parent.child_id).first()
    elif tumbuh_id and isinstance(tumbuh_id, str):
        child = Child.all_objects.filter(tumbuh_id=tumbuh_id.strip()[:16]).first()
    else:
        return _refused(rec, [NO_CHILD])
    child = _survivor(child)
    rec.desa_id = None
    if child is None:
        return _attention(rec, ConflictKind.OUTSIDE_AREA, NOT_FOUND, [Choice.DISCARD])
    if not policy.is_visible(actor, child):
        if _was_in_area(actor, child):
            rec.child, rec.desa_id = child, child.desa_id
            return _attention(rec, ConflictKind.MOVED, MOVED, [Choice.USE_PHONE, Choice.DISCARD])
        return _attention(rec, ConflictKind.OUTSIDE_AREA, NOT_FOUND, [Choice.DISCARD])
    rec.child, rec.desa_id = child, child.desa_id
    return child


def _new_visit(child: Child) -> Measurement:
    return Measurement(child=child, desa_id=child.desa_id, posyandu_id=child.posyandu_id, source=Source.FORM)


def _same_inputs(a: Measurement, b: Measurement) -> bool:
    def norm(m, field):
        value = getattr(m, field)
        if field in ("position",):
            return value or ""
        if field == "oedema":
            return bool(value)
        return None if value is None else to_decimal(value)

    return all(norm(a, f) == norm(b, f) for f in _VISIT_INPUTS)


def round2(value):
    rounded = round_figure(value, 2)
    return None if rounded is None else float(rounded)


def server_block(m: Measurement) -> dict:
    """The server's computed fields of a visit, z-scores rounded to 2 decimals as the phone compares them."""
    out: dict = {"age_days": m.age_days}
    for field in scoring.Z_FIELDS:
        out[field] = round2(getattr(m, field))
    for field in scoring.FLAG_FIELDS:
        out[field] = getattr(m, field)
    for field in scoring.STATUS_FIELDS:
        out[field] = getattr(m, field) or None
    out["engine_reason"] = m.engine_reason or ""
    out["warnings"] = [code for code in (m.warnings or "").split(";") if code]
    return out


def as_number(value):
    return None if value is None else float(value)


def visit_values(m: Measurement) -> dict:
    """A stored visit's measurements, rounded z-scores and statuses, as the phone keeps them (the
    package's last visits, a conflict's server side)."""
    return {
        "date": m.date.isoformat(),
        "weight": as_number(m.weight),
        "lenhei": as_number(m.lenhei),
        "position": (m.position or "").upper(),
        "oedema": bool(m.oedema),
        "muac": as_number(m.muac),
        "headc": as_number(m.headc),
        "zlen": round2(m.zlen),
        "zwei": round2(m.zwei),
        "zwfl": round2(m.zwfl),
        **{field: getattr(m, field) or None for field in scoring.STATUS_FIELDS},
    }


def visit_summary(m: Measurement) -> dict:
    """A stored visit as the cadre may see it (a visit of a child in their area)."""
    return {**visit_values(m), "entered_by": str(m.entered_by) if m.entered_by_id else "", "source": m.source}


#: What the phone's engine is compared on: the rounded z-scores, the flags, the statuses, the age.
COMPARED = ("age_days", *scoring.Z_FIELDS, *scoring.FLAG_FIELDS, *scoring.STATUS_FIELDS)


def compare(phone: dict | None, server: dict) -> dict:
    """``{field: {"phone", "server"}}`` where the phone's result differs from the server's; only
    the fields the phone sent are compared."""
    if not isinstance(phone, dict):
        return {}
    out = {}
    for field in COMPARED:
        if field not in phone:
            continue
        given, ours = phone[field], server.get(field)
        if field in scoring.Z_FIELDS:
            same = round_figure(given, 2) == round_figure(ours, 2) and (given is None) == (ours is None)
        elif field in scoring.FLAG_FIELDS:
            same = (None if given is None else bool(given)) == ours and not isinstance(given, (str, dict, list))
        elif field in scoring.STATUS_FIELDS:
            same = (given or None) == ours
        else:
            same = isinstance(given, int) and not isinstance(given, bool) and given == ours
        if not same:
            shown = given if given is None or isinstance(given, (int, float, str, bool)) else str(given)
            out[field] = {"phone": shown, "server": ours}
    return out


def _score(rec: OfflineRecord, m: Measurement) -> None:
    rec.server = server_block(m)
    differs = compare(rec.phone, rec.server)
    rec.mismatch, rec.has_mismatch = (differs or None), bool(differs)


def _evaluate_visit(actor, rec: OfflineRecord, *, today: dt.date) -> None:
    child = _visit_child(actor, rec)
    if child is None:
        return None
    form = _visit_form(rec.payload, _new_visit(child), child, today)
    if not form.is_valid():
        return _refused(rec, _form_messages(form))
    m = form.save(commit=False)
    scoring.score([m])
    _score(rec, m)  # the phone's engine is checked even when the visit is refused below
    existing = Measurement.objects.filter(child=child, date=m.date).select_related("entered_by").first()
    if existing is not None:
        if _same_inputs(existing, m):
            rec.visit = existing
            return _sent(rec)
        words = VISIT_DIFFERS % {"date": m.date.strftime("%d/%m/%Y")}
        choices = [Choice.KEEP_SERVER, Choice.USE_PHONE]
        return _attention(rec, ConflictKind.VISIT_DIFFERS, words, choices, server=visit_summary(existing))
    _record(actor, rec, m, _sent_words(rec, actor), today=today)


def _record(actor, rec: OfflineRecord, m: Measurement, words: str, *, today: dt.date) -> bool:
    try:
        with transaction.atomic():
            do_record_measurement(actor, m, reason=words, today=today)
    except ValidationError as e:
        _refused(rec, e.messages)
        return False
    except PermissionDenied as e:
        _refused(rec, [str(e) or policy.ROLE_REFUSED])
        return False
    rec.visit = m
    _score(rec, m)
    _sent(rec)
    return True


# -- changed on the phone after it was sent


def _evaluate_change(actor, rec: OfflineRecord, *, today: dt.date) -> None:
    """A higher revision of a record already on the server: the same values are simply sent;
    other values wait for a choice (the server's may have been corrected since)."""
    rec.choice, rec.chosen_by, rec.chosen_at, rec.choice_reason = "", None, None, ""
    rec.reason, rec.conflict = "", None
    if rec.kind == Kind.VISIT:
        visit = Measurement.all_objects.select_related("child", "entered_by").filter(pk=rec.visit_id).first()
        if visit is None or not policy.is_visible(actor, visit):
            _evaluate(actor, rec, today=today)
            return
        if visit.removed_at is not None:
            _attention(
                rec, ConflictKind.CHANGED_AFTER_SENT, VISIT_REMOVED, [Choice.DISCARD], server=visit_summary(visit)
            )
            return _finish(rec)
        form = _visit_form(rec.payload, _new_visit(visit.child), visit.child, today)
        if not form.is_valid():
            _refused(rec, _form_messages(form))
            return _finish(rec)
        m = form.save(commit=False)
        scoring.score([m])
        _score(rec, m)
        if m.date == visit.date and _same_inputs(visit, m):
            _sent(rec)
        else:
            _attention(
                rec,
                ConflictKind.CHANGED_AFTER_SENT,
                CHANGED_AFTER_SENT,
                [Choice.KEEP_SERVER, Choice.USE_PHONE],
                server=visit_summary(visit),
            )
        return _finish(rec)
    child = Child.all_objects.select_related("desa", "posyandu").filter(pk=rec.child_id).first()
    if child is None or child.merged_into_id or not policy.is_visible(actor, child):
        _evaluate(actor, rec, today=today)
        return
    form = _child_form(actor, rec.payload, child, today)
    stored = {f: getattr(child, f"{f}_id" if f in ("desa", "posyandu") else f) for f in _CHILD_FIELDS}
    if not form.is_valid():
        _refused(rec, _form_messages(form))
        return _finish(rec)
    changed = form.save(commit=False)
    given = {f: getattr(changed, f"{f}_id" if f in ("desa", "posyandu") else f) for f in _CHILD_FIELDS}
    fresh = Child.all_objects.select_related("desa", "posyandu").get(pk=child.pk)
    if given == stored:
        _sent(rec)
    else:
        _attention(
            rec,
            ConflictKind.CHANGED_AFTER_SENT,
            CHANGED_AFTER_SENT,
            [Choice.KEEP_SERVER, Choice.USE_PHONE],
            server=child_summary(fresh),
        )
    rec.server = child_summary(fresh)
    _finish(rec)


# ---------------------------------------------------------------- the answer


def result_of(rec: OfflineRecord) -> dict:
    """The answer the phone stores for the record (docs/offline.md)."""
    choice = None
    if rec.choice:
        choice = {
            "choice": rec.choice,
            "by": str(rec.chosen_by) if rec.chosen_by_id else "",
            "at": rec.chosen_at.isoformat() if rec.chosen_at else None,
            "reason": rec.choice_reason,
        }
    tumbuh_id = None
    if rec.child_id:  # a record is linked to a child only where the user may know it (sent, moved, …)
        tumbuh_id = Child.all_objects.filter(pk=rec.child_id).values_list("tumbuh_id", flat=True).first()
    return {
        "uuid": str(rec.uuid),
        "revision": rec.revision,
        "kind": rec.kind,
        "state": rec.state,
        "reason": rec.reason,
        "conflict": rec.conflict,
        "tumbuh_id": tumbuh_id,
        "server": rec.server,
        "choice": choice,
    }


# ---------------------------------------------------------------- a person's choice


def do_choose(
    actor, record: OfflineRecord, choice: str, reason: str, *, now: dt.datetime, today: dt.date
) -> OfflineRecord:
    """Resolve a record that needs attention with ``choice`` (one of its conflict's choices) and
    ``reason`` (required), audited: who chose what, why. Allowed to the record's author and to a
    puskesmas officer or the district admin whose area holds it (``permissions.may_choose``).
    ``ValidationError`` when the choice cannot be carried out (nothing changes then)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    with transaction.atomic():
        rec = OfflineRecord.objects.select_for_update(of=("self",)).select_related("author").get(pk=record.pk)
        if not may_choose(actor, rec):
            raise PermissionDenied(policy.refusal(actor, rec))
        if rec.state != State.ATTENTION or not rec.conflict:
            raise ValidationError(NOTHING_TO_CHOOSE)
        if choice not in rec.conflict.get("choices", ()):
            raise ValidationError(CHOICE_NOT_OFFERED)
        before = {"state": rec.state, "conflict": rec.conflict.get("kind"), "choice": ""}
        words = _choice_words(actor, rec, choice, reason)
        _carry_out(actor, rec, choice, words, today=today)
        rec.choice, rec.chosen_by, rec.chosen_at, rec.choice_reason = choice, actor if actor.pk else None, now, reason
        rec.reason = _("%(done)s (%(actor)s: %(reason)s)") % {
            "done": CHOICE_DONE[Choice(choice)],
            "actor": actor,
            "reason": reason,
        }
        _finish(rec)
        rec.save()
        record_about(
            actor,
            AuditAction.UPDATE,
            object_type=rec._meta.label_lower,
            object_id=str(rec.uuid),
            object_repr=_record_words(rec),
            wilayah_code=rec.desa_id or (rec.author.wilayah_id if rec.author else "") or "",
            before=before,
            after={"state": rec.state, "conflict": before["conflict"], "choice": choice},
            reason=words,
        )
    return rec


def _record_words(rec: OfflineRecord) -> str:
    what = _("child registered on a phone") if rec.kind == Kind.CHILD else _("visit entered on a phone")
    return _("%(what)s by %(author)s, record %(uuid)s") % {"what": what, "author": rec.author or "—", "uuid": rec.uuid}


def _choice_words(actor, rec: OfflineRecord, choice: str, reason: str) -> str:
    return _(
        "Choice on a record sent from a phone (offline entry) by %(author)s, device %(device)s, record "
        "%(uuid)s: %(done)s, chosen by %(actor)s. Reason: %(reason)s"
    ) % {
        "author": rec.author or "—",
        "device": rec.device or "—",
        "uuid": rec.uuid,
        "done": CHOICE_DONE[Choice(choice)],
        "actor": actor,
        "reason": reason,
    }


def _carry_out(actor, rec: OfflineRecord, choice: str, words: str, *, today: dt.date) -> None:
    kind = rec.conflict.get("kind")
    if choice in (Choice.DISCARD, Choice.KEEP_SERVER):
        rec.state, rec.conflict = State.DISCARDED, {**rec.conflict, "choices": []}
        return
    if choice == Choice.SAME_CHILD:
        server = rec.conflict.get("server") or {}
        child = _survivor(Child.all_objects.filter(tumbuh_id=server.get("tumbuh_id")).first())
        if child is None or not policy.is_visible(actor, child):
            raise ValidationError(NOT_FOUND)
        record_about(
            actor,
            AuditAction.UPDATE,
            object_type=child._meta.label_lower,
            object_id=str(child.pk),
            object_repr=str(child),
            wilayah_code=child.desa_id,
            after={"offline_record": str(rec.uuid)},
            reason=words,
        )
        rec.child, rec.desa_id, rec.server = child, child.desa_id, child_summary(child)
        _sent(rec)
        return
    if choice == Choice.NEW_CHILD:
        _register(actor, rec, Child(), today=today, nik="", words=words)
    elif choice == Choice.USE_PHONE and kind == ConflictKind.MOVED:
        child = _survivor(Child.all_objects.filter(pk=rec.child_id).first())
        if child is None or not policy.can(actor, policy.ADD, _new_visit(child)):
            raise ValidationError(ONLY_THE_CHILDS_AREA)
        _use_phone_visit(actor, rec, child, _new_visit(child), words, today=today)
    elif choice == Choice.USE_PHONE and rec.kind == Kind.VISIT:
        child = Child.all_objects.get(pk=rec.child_id)
        if kind == ConflictKind.CHANGED_AFTER_SENT:
            target = Measurement.all_objects.get(pk=rec.visit_id)
        else:
            date = (rec.conflict.get("server") or {}).get("date")
            target = Measurement.objects.filter(child=child, date=date).first() or _new_visit(child)
        _use_phone_visit(actor, rec, child, target, words, today=today)
    elif choice == Choice.USE_PHONE and rec.kind == Kind.CHILD:
        child = Child.all_objects.get(pk=rec.child_id)
        _register(actor, rec, child, today=today, words=words)
    else:
        raise ValidationError(CHOICE_NOT_OFFERED)
    if rec.state != State.SENT:  # the action refused: nothing is changed, the reason is shown
        raise ValidationError(rec.reason)


def _use_phone_visit(actor, rec, child: Child, target: Measurement, words: str, *, today: dt.date) -> None:
    form = _visit_form(rec.payload, target, child, today)
    if not form.is_valid():
        raise ValidationError(_form_messages(form))
    m = form.save(commit=False)
    _record(actor, rec, m, words, today=today)
