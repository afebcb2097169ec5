"""The e-PPGBM importer (kind ``eppgbm``): one row becomes a plan (``validate``), built from
its parts: the cells (``columns``), the places it names (``names``), the child it is about
(``identity``) and the writing of a chunk (``writer``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tumbuh.accounts import policy
from tumbuh.audit.bulk import BulkWrite
from tumbuh.imports.cells import NO_ANSWER, parse_date, parse_decimal
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Importer, Plan, Row, register
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from .. import validation
from ..models import Measurement
from ..nik import clean_nik, mask_nik, nik_problem
from .columns import (
    _AGE_TEXT,
    _ASI,
    _NO_MONTHS,
    _NOTHING,
    _ONE,
    _POSITION,
    _SEX,
    _TWO,
    _UNREADABLE,
    _VITAMIN_A,
    ASI_COLUMNS,
    BASE_FIELDS,
    COLUMNS,
    DEFAULTS,
    REQUIRED,
    SERVICE_COLUMNS,
    UNSAID,
    VALUE_FIELDS,
    _float,
    _mask_phone,
    _q,
    _read,
    person_key,
    read_asi,
    read_birth_order,
    read_oedema,
    read_phone,
)
from .identity import ANONYMISED_WITHOUT_NIK, VISIT_REMOVED, ChildRef, Identity, is_anonymised
from .names import Names
from .writer import Writer


@register
class EppgbmImporter(Identity, Writer, Importer):
    """e-PPGBM exports and Tumbuh's template as children and visits (see the package)."""

    kind = "eppgbm"
    title = _("child measurements (e-PPGBM)")
    model = Measurement
    chunk_size = 5000
    shared_types = (ChildRef,)
    write_refuses = False  # a row is refused in validate or not at all
    columns = COLUMNS
    required = REQUIRED

    @classmethod
    def pages(cls, batch=None) -> str | None:
        if batch is None:
            return reverse("measurement_imports:upload")
        return reverse("measurement_imports:batch", args=[batch.pk])

    @classmethod
    def references(cls, user, kabupaten):

        desa = policy.visible(user, Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.DESA))
        kecamatan = dict(
            Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.KECAMATAN).values_list("code", "name")
        )
        posyandu = policy.visible(user, Posyandu.objects.filter(desa__kabupaten_code=kabupaten.code)).select_related(
            "desa", "puskesmas"
        )
        return [
            (
                "Desa",
                ["Kec", "Desa/Kel", "Kode Desa"],
                [[kecamatan.get(w.kecamatan_code, ""), w.name, w.code] for w in desa],
            ),
            (
                "Posyandu",
                ["Desa/Kel", "Posyandu", "Puskesmas"],
                [[p.desa.name, p.name, p.puskesmas.name] for p in posyandu],
            ),
        ]

    # ---------------------------------------------------------------- prepare

    def prepare(self) -> None:
        kab = self.kabupaten.code
        # The day the file came in (the batch's, in Tumbuh's time zone): no visit after it.
        self.today = timezone.localdate(self.batch.created_at)
        # New children and visits in bulk, one audit row for them all; the policy is asked once
        # per model whether the user adds them (each row's desa is checked against their area).
        self.bulk = BulkWrite(self.user)
        self.years: set[int] = set()  # of the visits written (findings["years"]: what to recompute)
        if connection.vendor == "sqlite":
            # A million rows go into tables with several indexes: give this connection a
            # page cache large enough for them (SQLite's default is 2 MB).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
        self.known_kecamatan = set(Wilayah.objects.filter(level=Level.KECAMATAN).values_list("code", flat=True))
        self.names = Names(self.kabupaten, self.user)
        self.load_children(kab)

        # Which optional columns the file has: a column it does not have says nothing.
        present = set(self.header_spec().match(self.batch.headers or []))
        self.has = {
            key: key in present
            for key in (
                "weight",
                "lenhei",
                "position",
                "muac",
                "zs_tbu",
                "zs_bbu",
                "zs_bbtb",
                "posyandu",
                "headc",
                "oedema",
            )
        }
        # (column, index into VALUE_FIELDS or -1 - month for an ASI month, reader, {text: value read})
        self.service_columns = [
            (key, VALUE_FIELDS.index(field), reader, {})
            for key, (field, reader) in SERVICE_COLUMNS.items()
            if key in present
        ]
        self.service_columns += [(key, -1 - m, read_asi, {}) for m, key in enumerate(ASI_COLUMNS) if key in present]
        self.has_asi = any(key in present for key in ASI_COLUMNS)
        self.child_columns = [
            (key, reader)
            for key, reader in (
                ("birth_order", read_birth_order),
                ("parent_nik", self._parent_nik),
                ("parent_phone", read_phone),
            )
            if key in present
        ]

        # Counts for the batch page.
        self.children_created = 0
        self.zscore_disagreements = 0
        self.warned_rows = 0
        self.invalid_nik: list[list] = []
        self.invalid_nik_count = 0
        self.anonymised = self.anonymised_new = self.names_replaced = 0
        self.service_unreadable = 0
        self.ignored: dict[str, int] = defaultdict(int)  # column header -> cells ignored
        self.ignored_rows: list[list] = []  # [row, column header, value], the first 5000

    # ---------------------------------------------------------------- one row

    def validate(self, row: Row) -> Plan:
        name = row["name"]
        if not name:
            raise RowError(gettext_noop("Name is empty"))
        sex = _SEX.get(row["sex"].lower()) or _SEX.get(person_key(row["sex"]))
        if sex is None:
            if not row["sex"]:
                raise RowError(gettext_noop("JK (sex) is empty"))
            raise RowError(gettext_noop("JK (sex) must be L or P, not %(value)s"), value=row["sex"])
        birth = self._date(row, "birth_date")
        if birth is None:
            raise RowError(gettext_noop("Birth date is empty"))
        date = self._date(row, "date")
        has = self.has
        weight = _q(self._decimal(row, "weight"), _TWO)
        lenhei = _q(self._decimal(row, "lenhei"), _ONE)
        muac = _q(self._decimal(row, "muac"), _ONE)
        headc = _q(self._decimal(row, "headc"), _ONE) if has["headc"] else None
        if weight is None and lenhei is None:
            raise RowError(gettext_noop("Weight and height are both empty"))
        problems = validation.check_dates(date, birth, self.today) + validation.check_values(
            weight, lenhei, muac, headc
        )
        error = validation.first_error(problems)
        if error is not None:
            raise RowError(error.message, **error.params)
        position = ""
        if row["position"]:
            position = _POSITION.get(person_key(row["position"]))
            if position is None:
                raise RowError(
                    gettext_noop("Cara Ukur must be Terlentang or Berdiri, not %(value)s"), value=row["position"]
                )
        oedema = self._oedema(row) if has["oedema"] else None
        warnings = [p.code for p in problems]
        if row["age_text"]:
            stated = _AGE_TEXT.search(row["age_text"])
            if stated:
                years, months, days = (int(g or 0) for g in stated.groups())
                if abs(years * 365.25 + months * 30.4375 + days - (date - birth).days) > 31:
                    warnings.append("age_text_mismatch")
        desa, posyandu = self.names.places(row)
        # What the row says about the visit (``VALUE_FIELDS``); UNSAID where it says nothing.
        said = [
            weight if has["weight"] else UNSAID,
            lenhei if has["lenhei"] else UNSAID,
            position if has["position"] else UNSAID,
            UNSAID if muac is None else muac,
            _float(row["zs_tbu"], "ZS TB/U") if has["zs_tbu"] else UNSAID,
            _float(row["zs_bbu"], "ZS BB/U") if has["zs_bbu"] else UNSAID,
            _float(row["zs_bbtb"], "ZS BB/TB") if has["zs_bbtb"] else UNSAID,
            posyandu if has["posyandu"] else UNSAID,
            UNSAID if headc is None else headc,
            UNSAID if oedema is None else oedema,
            *(UNSAID,) * len(Measurement.SERVICE_FIELDS),
        ]
        ignored: list[tuple[str, str]] = []  # (column, text) of cells that could not be read
        self._services(row, said, warnings, ignored)
        if said[_ASI] is not UNSAID or said[_VITAMIN_A] is not UNSAID:
            self._services_for_age(said, date, birth, warnings)

        # The child.
        raw_nik = row["nik"]
        nik = clean_nik(raw_nik)
        nik_invalid = nik_problem(nik, self.known_kecamatan) if nik else None
        if nik_invalid is not None:
            warnings.append(f"nik_invalid:{nik_invalid}")
            nik = ""
        anonymised = is_anonymised(name)
        if anonymised and not nik:
            raise RowError(ANONYMISED_WITHOUT_NIK, name=name)
        found = self._child_fields(row, warnings, ignored) if self.child_columns else _NOTHING
        ref, created = self._child(row, nik, name, sex, birth, desa, posyandu, anonymised)

        # The visit.
        ordinal = date.toordinal()
        fingerprint = hash(tuple(row.cells))
        entry = ref.visits.get(ordinal)
        if entry is not None and entry[1]:
            if entry[2] == fingerprint:
                raise RowError(gettext_noop("Duplicate of row %(row)s in this file"), row=entry[1])
            raise RowError(
                gettext_noop("Same child and measurement date as row %(row)s in this file, but with different values"),
                row=entry[1],
            )
        if entry is None and ref.pk is not None and (ref.pk, ordinal) in self.removed_visits:
            raise RowError(VISIT_REMOVED, date=f"{date:%d/%m/%Y}", reason=self.removed_visits[ref.pk, ordinal])
        self._check_change(ref, ordinal, date, weight, lenhei, position)

        # Accepted: from here on nothing refuses the row.
        values = self._merge(said, entry[3] if entry is not None else None)
        if not values[2]:
            warnings.append("position_missing")  # the engine assumes lying under 24 months, standing from 24
        if nik and not ref.nik:
            self._give_nik(ref, nik)
        if found:
            self._fill_child(ref, found)
        if anonymised:
            warnings.append("name_anonymised:new_child" if created else "name_anonymised")
            self.anonymised += 1
            self.anonymised_new += created
        elif is_anonymised(ref.name):
            self._replace_placeholder(ref, name)
        if ignored or nik_invalid is not None:
            self._count(row, raw_nik, nik_invalid, ignored)
        existing_pk = entry[0] if entry is not None else None
        changed = entry is None or entry[3] != values
        ref.visits[ordinal] = [existing_pk, row.number, fingerprint, values]
        if not changed:  # nothing to write: a lean plan waits on disk (a re-import is mostly these)
            return Plan(row, None, changed=False)
        return Plan(
            row,
            None,
            changed=changed,
            extra={
                "ref": ref,
                "pk": existing_pk,
                "date": date,
                "values": values,
                "desa": desa,
                "warnings": warnings,
            },
        )

    def _merge(self, said: list, stored: tuple | None) -> tuple:
        """The visit's values: what the row says, else what is stored, else the defaults.
        ASI months merge month by month (a month the row leaves "-" keeps the stored one)."""
        split = len(BASE_FIELDS)
        if stored is None:
            flat = [d if v is UNSAID else v for v, d in zip(said, DEFAULTS, strict=True)]
            return self._values(flat[:split], flat[split:])
        base = [o if v is UNSAID else v for v, o in zip(said[:split], stored, strict=False)]
        old = stored[-1]
        extra = [o if v is UNSAID else v for v, o in zip(said[split:], old, strict=True)]
        asi, before = said[_ASI], old[_ASI - split]
        if asi is not UNSAID and before:
            extra[_ASI - split] = "".join(o if n == "-" else n for n, o in zip(asi, before.ljust(7, "-"), strict=False))
        return self._values(base, extra)

    def _services(self, row: Row, said: list, warnings: list[str], ignored: list) -> None:
        """The services the row records, into ``said``; a cell that cannot be read says nothing
        (the visit keeps what it had) and warns (the visit itself is kept). Runs for every row: kept lean."""
        values = row.values
        months = ["-"] * 7 if self.has_asi else None
        for key, index, reader, cells in self.service_columns:
            text = values.get(key)
            if text:
                value = cells.get(text)
                if value is None:
                    value = _read(cells, text, reader)
                if value is _UNREADABLE:
                    warnings.append(f"service_unreadable:{key}")
                    ignored.append((key, text))
                elif index < 0:
                    months[-1 - index] = value
                elif value is not UNSAID:
                    said[index] = value
        if months is not None and months != _NO_MONTHS:
            said[_ASI] = "".join(months)  # (no month recorded at all says nothing: stored as "")

    @staticmethod
    def _services_for_age(said: list, date: dt.date, birth: dt.date, warnings: list[str]) -> None:
        """``validation.check_services`` on an imported visit: a breastfeeding month the child
        has not reached is ignored (not the visit), vitamin A before 6 months is kept; both warn."""
        asi, vitamin_a = (None if v is UNSAID else v for v in (said[_ASI], said[_VITAMIN_A]))
        later = validation.asi_months_after_age(asi, date, birth)
        if later:
            months = "".join("-" if m in later else v for m, v in enumerate(asi))
            said[_ASI] = UNSAID if months == "-" * 7 else months
            warnings.append("asi_month_after_age")
        warnings += [p.code for p in validation.check_services(date, birth, "", vitamin_a)]

    def _oedema(self, row: Row) -> bool | None:
        text = row["oedema"]
        if not text:
            return None
        try:
            return read_oedema(text)
        except ValueError:
            raise RowError(gettext_noop("Edema must be Ya or Tidak, not %(value)s"), value=text) from None

    def _child_fields(self, row: Row, warnings: list[str], ignored: list) -> dict:
        """Birth order and the parent's NIK and phone, where the row has them and they are
        valid; an invalid one is ignored with a warning (as an invalid child NIK is)."""
        found = {}
        for key, reader in self.child_columns:
            text = row[key]
            if text and text not in NO_ANSWER:
                try:
                    found[key] = reader(text)
                except ValueError:
                    warnings.append(f"{key}_invalid")
                    ignored.append((key, text))
        return found

    def _parent_nik(self, text: str) -> str:
        parent_nik = clean_nik(text)
        if nik_problem(parent_nik, self.known_kecamatan) is not None:
            raise ValueError(text)
        return parent_nik

    def _count(self, row: Row, raw_nik: str, nik_invalid: str | None, ignored: list) -> None:
        """The accepted row's findings, for the batch page."""
        if nik_invalid is not None:
            self.invalid_nik_count += 1
            if len(self.invalid_nik) < 5000:
                self.invalid_nik.append([row.number, raw_nik, nik_invalid])
        for key, text in ignored:
            header = self.header_name(key)
            self.ignored[header] += 1
            if key in SERVICE_COLUMNS or key in ASI_COLUMNS:
                self.service_unreadable += 1
            if len(self.ignored_rows) < 5000:
                # A parent's NIK or phone is personal data even when it is wrong: shown masked.
                shown = (
                    mask_nik(text) if key == "parent_nik" else (_mask_phone(text) if key == "parent_phone" else text)
                )
                self.ignored_rows.append([row.number, header, shown[:60]])

    def _date(self, row: Row, key: str) -> dt.date | None:
        try:
            return parse_date(row[key])
        except ValueError:
            raise RowError(
                gettext_noop("%(column)s is not a date: %(value)s"), column=self.header_name(key), value=row[key]
            ) from None

    def _decimal(self, row: Row, key: str) -> Decimal | None:
        try:
            return parse_decimal(row[key])
        except ValueError:
            raise RowError(
                gettext_noop("%(column)s is not a number: %(value)s"), column=self.header_name(key), value=row[key]
            ) from None

    def _birth_value(self, row: Row, key: str, step: Decimal, low: float, high: float) -> Decimal | None:
        """Birth weight/length: kept when plausible, else left empty (not a reason to refuse a visit)."""
        try:
            value = parse_decimal(row[key])
        except ValueError:
            return None
        if value is None or not (low <= float(value) <= high):
            return None
        return _q(value, step)

    # ---------------------------------------------------------------- the batch

    def finish(self) -> None:
        unmatched = sorted(
            ({k: v for k, v in e.items() if not k.startswith("_")} for e in self.names.unmatched.values()),
            key=lambda e: (-e["rows"], e["kind"], e["source"]),
        )
        self.batch.findings = {
            "children_created": self.children_created,
            "zscore_disagreements": self.zscore_disagreements,
            "warned_rows": self.warned_rows,
            "invalid_nik": self.invalid_nik_count,
            "invalid_nik_rows": self.invalid_nik,
            "anonymised_names": self.anonymised,
            "anonymised_new_children": self.anonymised_new,
            "names_replaced": self.names_replaced,
            "service_unreadable": self.service_unreadable,
            "ignored_cells": dict(sorted(self.ignored.items())),
            "ignored_cell_rows": self.ignored_rows,
            "unmatched": unmatched,
            **{k: v for k, v in (self.batch.findings or {}).items() if k in ("rerun_of",)},
            "years": sorted(self.years),  # of the visits created or updated
        }
        if self.batch.created and self.batch.pk and not self.dry_run:
            self.bulk.record(
                f"impor {self.batch.file_name}: {self.batch.created} pengukuran baru, {self.children_created} anak baru",
                about=self.batch,
                details={
                    "measurements_created": self.batch.created,
                    "children_created": self.children_created,
                    "file": self.batch.file_name,
                    "sha256": self.batch.file_sha256,
                },
            )

    @classmethod
    def finding_lines(cls, batch) -> list[str]:
        """For the command line: z-score disagreements, anonymised names, cells that could not be
        read and the first 20 unknown names."""
        findings = batch.findings or {}
        lines = []
        if findings.get("zscore_disagreements"):
            lines.append(
                _("e-PPGBM's z-scores differ from Tumbuh's by more than 0.01 in %(n)s rows.")
                % {"n": findings["zscore_disagreements"]}
            )
        if findings.get("anonymised_names"):
            lines.append(
                _(
                    "%(n)s rows carry an anonymised name (ANON_…), recognised by the NIK only; %(new)s new "
                    "children got it as a placeholder name."
                )
                % {"n": findings["anonymised_names"], "new": findings.get("anonymised_new_children", 0)}
            )
        if findings.get("service_unreadable"):
            lines.append(
                _(
                    "%(n)s service cells could not be read: their visits keep what they had (unknown for a new "
                    "visit); the rows were kept."
                )
                % {"n": findings["service_unreadable"]}
            )
        if findings.get("ignored_cells"):
            columns = ", ".join(f"{column} {n}" for column, n in findings["ignored_cells"].items())
            lines.append(_("Cells that could not be read, per column: %(columns)s") % {"columns": columns})
        for entry in findings.get("unmatched", [])[:20]:
            lines.append(
                _("Unknown %(kind)s name %(name)s (%(rows)s rows); proposal: %(proposal)s")
                % {
                    "kind": entry["kind"],
                    "name": entry["source_text"],
                    "rows": entry["rows"],
                    "proposal": entry["proposal_name"] or "—",
                }
            )
        return lines
