"""Importing e-PPGBM exports (and Tumbuh's own simple template) as children and visits.

One importer, kind ``eppgbm``, reads both: e-PPGBM's Indonesian headers are aliases of the
template's. Per row:

- cells: decimal commas, dd/mm/yyyy or Excel serial dates, JK L/P, Cara Ukur
  Terlentang/Berdiri, "2 Tahun - 3 Bulan - 5 Hari";
- ``validation.check_dates`` / ``check_values`` (errors reject, with the probable fix);
- names (Kec, Desa/Kel, Posyandu, Puskesmas) matched within the user's scope: exactly after
  normalising, else through a confirmed ``NameMapping``, else rejected with a proposal that
  the batch page offers to confirm;
- the child: by valid NIK, else by (normalised name, birth date, desa); an invalid NIK is a
  warning, stored blank (the raw value stays in the stored file and the batch findings);
  a valid NIK already used by a different child rejects the row;
- the visit: identified by (child, date); duplicates within the file are rejected; the
  height and weight change since the child's neighbouring visits (already stored or earlier
  in the file) are checked;
- what else the file says is kept: the services (Naik Berat Badan, Jml Vit A, KIA, KPSP, Kelas
  Ibu Balita, MBG, ASI Bulan 0–6 as seven Y/T/- letters, "" when no month is recorded) with the visit, where a cell that cannot be read is
  not used (a stored visit keeps its value, a new one has it unknown) and warns
  (``service_unreadable:<column>``) instead of losing the visit; an ASI month the child had not
  reached is ignored and vitamin A before 6 months kept, both with a warning
  (``validation.check_services``); head
  circumference and oedema into the growth engine; birth order and the parent's NIK and phone
  onto the child where it has none (never overwriting);
- a column the file does not have, or an empty cell of an optional value, says nothing: the
  stored value stays (absent is not "no"), so a re-import of the same file is unchanged;
- an anonymised name (``ANON_123``) is never matched or created by name: the valid NIK alone
  decides (a new child gets the name as a placeholder, which a later file with the real name
  and the same NIK replaces); without one the row is rejected, with how to fix it.

Writing is per chunk: new children and visits with ``imports.bulk.insert_rows``, z-scores with
``scoring.score`` over the whole chunk, changed visits through ``do_save`` (one audit row
each), and one audit row for the batch as a whole (``finish``). e-PPGBM's own z-scores are
kept in ``eppgbm_*``; where they differ from Tumbuh's by more than 0.01 the batch counts a
data-quality finding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save, record
from tumbuh.audit.models import AuditAction
from tumbuh.imports.bulk import insert_rows
from tumbuh.imports.cells import NO_ANSWER, clean_text, fold, parse_count, parse_date, parse_decimal, parse_yes_no
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import CREATED, UNCHANGED, UPDATED, Column, Importer, Plan, Row, register
from tumbuh.organisation.models import Posyandu, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from . import validation
from .actions import check_phone, clean_phone
from .matching import name_key, propose
from .models import Child, Measurement, NameKind, NameMapping, Position, Sex, Source, new_tumbuh_id
from .models import is_anonymised as _is_anonymised
from .nik import clean_nik, mask_nik, nik_problem
from .scoring import score, score_columns
from .upload_layout import load_layout

Z_TOLERANCE = 0.01
_TWO, _ONE = Decimal("0.01"), Decimal("0.1")
_SEX = {"l": Sex.MALE, "lk": Sex.MALE, "laki laki": Sex.MALE, "laki": Sex.MALE, "1": Sex.MALE, "m": Sex.MALE,
        "male": Sex.MALE, "p": Sex.FEMALE, "pr": Sex.FEMALE, "perempuan": Sex.FEMALE, "2": Sex.FEMALE,
        "f": Sex.FEMALE, "w": Sex.FEMALE, "female": Sex.FEMALE}
_POSITION = {"terlentang": Position.LYING, "telentang": Position.LYING, "berbaring": Position.LYING, "l": Position.LYING,
             "lying": Position.LYING, "panjang badan": Position.LYING, "pb": Position.LYING,
             "berdiri": Position.STANDING, "h": Position.STANDING, "standing": Position.STANDING,
             "tinggi badan": Position.STANDING, "tb": Position.STANDING}
_AGE_TEXT = re.compile(r"(\d+)\s*tahun\D*?(\d+)\s*bulan(?:\D*?(\d+)\s*hari)?", re.I)
_KEY = re.compile(r"[^0-9a-z]+")

#: Reasons for names that are not (yet) matched: re-running the batch after confirming a
#: mapping may accept these rows.
NAME_REASONS = {
    "kecamatan": gettext_noop("Unknown kecamatan %(name)s"),
    "desa": gettext_noop("Unknown desa %(name)s in kecamatan %(parent)s"),
    "puskesmas": gettext_noop("Unknown puskesmas %(name)s"),
    "posyandu": gettext_noop("Unknown posyandu %(name)s in desa %(parent)s"),
}
NAME_REASONS_PROPOSED = {
    "kecamatan": gettext_noop("Unknown kecamatan %(name)s; did you mean %(proposal)s? Confirm it on the import page"),
    "desa": gettext_noop("Unknown desa %(name)s in kecamatan %(parent)s; did you mean %(proposal)s? Confirm it on the import page"),
    "puskesmas": gettext_noop("Unknown puskesmas %(name)s; did you mean %(proposal)s? Confirm it on the import page"),
    "posyandu": gettext_noop("Unknown posyandu %(name)s in desa %(parent)s; did you mean %(proposal)s? Confirm it on the import page"),
}
ALL_NAME_REASONS = set(NAME_REASONS.values()) | set(NAME_REASONS_PROPOSED.values())
ANONYMISED_WITHOUT_NIK = gettext_noop(
    "Name anonymised (%(name)s) and NIK empty or invalid: the child cannot be identified; fill in the NIK or the name "
    "and import again"
)


def with_aliases(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns, each also named by its header in the e-PPGBM upload layout that Tumbuh
    exports (``upload_layout``), so an exported file imports back as it is."""
    extra = load_layout().import_aliases()
    return tuple(dataclasses.replace(c, aliases=(*c.aliases, *extra.get(c.key, ()))) for c in columns)


def is_anonymised(name: str) -> bool:
    """``models.is_anonymised``, after a quick look at the first letters (once per row)."""
    return name.lstrip()[:4].upper() == "ANON" and _is_anonymised(name)


def person_key(name: str) -> str:
    return _KEY.sub(" ", fold(name)).strip()


def _q(value: Decimal | None, step: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def _float(value: str, column: str) -> float | None:
    if not value:
        return None
    try:
        return float(value.replace(",", ".", 1) if value.count(",") == 1 and "." not in value else value)
    except ValueError:
        pass
    try:
        number = parse_decimal(value)
    except ValueError:
        raise RowError(gettext_noop("%(column)s is not a number: %(value)s"), column=column, value=value) from None
    return None if number is None else float(number)


# ---------------------------------------------------------------- service cells
# Each reader turns a (non-empty, cleaned) cell into the stored value, UNSAID when the cell
# says nothing, or raises ValueError: the visit is kept with the value it had (a new visit:
# unknown), the row warned.


def read_weight_gain(text: str):
    """Naik Berat Badan: the growth card's N/T/O/B, also written out ("Naik", "Tidak Naik")."""
    key = person_key(text)
    if not key:
        return UNSAID
    try:
        return _WEIGHT_GAIN[key]
    except KeyError:
        raise ValueError(text) from None


def read_vitamin_a(text: str):
    """Jml Vit A: a count of capsules, also as people write it ("2 kali", "2x", "1 kapsul");
    Ya/Tidak as 1/0; a capsule's colour (biru for 6–11 months, merah for 12–59) as one capsule."""
    key = person_key(text)
    if not key:
        return UNSAID
    if "biru" in key or "merah" in key:
        return 1
    times = _TIMES.fullmatch(key)
    try:
        count = parse_count(times[1] if times else text)
    except ValueError:
        answer = parse_yes_no(text)  # raises when it is neither a count nor yes/no
        return UNSAID if answer is None else int(answer)
    if count is None or not 0 <= count <= MAX_VITAMIN_A:
        raise ValueError(text)
    return count


def read_yes_no(text: str):
    answer = parse_yes_no(text)
    return UNSAID if answer is None else answer


def read_kpsp(text: str):
    """KPSP (developmental screening): the result as written ("Sesuai", "Meragukan", "Penyimpangan")."""
    text = clean_text(text)
    return UNSAID if text in NO_ANSWER else text[:40]


def read_asi(text: str):
    """One month of exclusive breastfeeding: Y or T ("-": not recorded)."""
    answer = parse_yes_no(text)
    return "-" if answer is None else ("Y" if answer else "T")


def read_oedema(text: str) -> bool | None:
    """Bilateral pitting oedema: Ya/Tidak, +/++/+++ (its grade) or -, 1/0. None: not said."""
    if text.strip() == "-":
        return False
    if text.strip() and set(text.strip()) == {"+"}:
        return True
    return parse_yes_no(text)


def read_birth_order(text: str) -> int:
    order = parse_count(text)
    if order is None or not 1 <= order <= 20:
        raise ValueError(text)
    return order


def read_phone(text: str) -> str:
    """A phone number as digits (an international one with its +), by the form's rules
    (``actions.clean_phone``/``check_phone``), after what spreadsheets do to it:
    ``0812-3456-789`` → ``08123456789``; ``+62 812 3456 789`` and ``62812…`` → ``0812…``; ``812…``
    (Excel dropped the leading 0) → ``0812…``. Anything else raises ValueError."""
    number = clean_text(text)
    if re.fullmatch(r"\d+\.0+", number):  # a number cell
        number = number.split(".")[0]
    number = clean_phone(number)
    plus = number.startswith("+")
    digits = number[1:] if plus else number
    if not digits.isdigit():
        raise ValueError(text)
    if digits.startswith("62") and (plus or len(digits) >= 11):
        digits, plus = "0" + digits[2:], False
    elif digits.startswith("8") and not plus and 9 <= len(digits) <= 12:
        digits = "0" + digits
    phone = ("+" if plus else "") + digits
    if check_phone(phone):
        raise ValueError(text)
    return phone


def _mask_phone(text: str) -> str:
    return text[:4] + "•" * max(0, len(text) - 6) + text[-2:] if len(text) > 6 else "•" * len(text)


MAX_VITAMIN_A = 20  # two capsules a year from 6 months: nine before the fifth birthday
_TIMES = re.compile(r"(\d+) ?(?:x|kali|kapsul|kaps)")  # on ``person_key``: "2 kali", "2x", "1 kapsul"
_WEIGHT_GAIN = {
    "n": "N", "naik": "N", "ya": "N", "y": "N", "bb naik": "N",
    "t": "T", "tidak naik": "T", "tdk naik": "T", "tidak": "T", "tdk": "T", "bb tidak naik": "T",
    "o": "O", "tidak ditimbang": "O", "tidak ditimbang bulan lalu": "O", "bulan lalu tidak ditimbang": "O",
    "b": "B", "baru": "B", "baru pertama": "B", "pertama": "B", "baru pertama kali": "B", "pertama kali": "B",
}
#: The service columns: column key → (Measurement field, reader).
SERVICE_COLUMNS = {
    "naik": ("weight_gain", read_weight_gain),
    "vita": ("vitamin_a", read_vitamin_a),
    "kia": ("kia_book", read_yes_no),
    "kpsp": ("kpsp", read_kpsp),
    "kelas_ibu": ("kelas_ibu_balita", read_yes_no),
    "mbg": ("mbg", read_yes_no),
}
ASI_COLUMNS = tuple(f"asi_{m}" for m in range(7))
_UNREADABLE = object()
_NOTHING: dict = {}
_NO_MONTHS = ["-"] * 7


def _read(cells: dict, text: str, reader):
    """A cell read by ``reader`` and remembered in ``cells`` (lists repeat a few values)."""
    try:
        value = reader(text)
    except ValueError:
        value = _UNREADABLE
    if len(cells) < 10_000:
        cells[text] = value
    return value


class ChildRef:
    """A child known to the batch: stored (``pk``) or to be created (``obj``), with its visits
    as {date ordinal: [measurement pk or None, file row or 0, fingerprint, values]} (``values``:
    see ``VALUE_FIELDS``) and, for a stored child, which of ``FILLABLE`` it still lacks (bits)."""

    __slots__ = ("pk", "nik", "name", "birth", "sex", "desa", "obj", "visits", "blank")

    def __init__(self, pk, nik, name, birth, sex, desa, obj=None, blank=0):
        self.pk, self.nik, self.name, self.birth, self.sex, self.desa, self.obj = pk, nik, name, birth, sex, desa, obj
        self.visits: dict[int, list] = {}
        self.blank = blank


#: Child fields an import fills when the child has none, never overwriting one: bit per field.
FILLABLE = {"birth_order": 1, "parent_nik": 2, "parent_phone": 4}

#: A visit's values compared on re-import, in this order: a stored visit whose values equal the
#: row's is unchanged. The first eight are kept as they are, the rest (``EXTRA_FIELDS``, rarely
#: different from one visit to the next) as one shared tuple, so a million visits stay small.
BASE_FIELDS = ("weight", "lenhei", "position", "muac", "eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl", "posyandu")
EXTRA_FIELDS = ("headc", "oedema", *Measurement.SERVICE_FIELDS)
VALUE_FIELDS = BASE_FIELDS + EXTRA_FIELDS
#: What a new visit holds where the file says nothing: the model's defaults.
DEFAULTS = tuple(Measurement._meta.get_field(f).get_default() for f in VALUE_FIELDS)
#: "The file says nothing about this value" (its column is absent, or the cell empty or
#: unreadable): a stored value stays, a new visit gets the default. Absent is not "no".
UNSAID = type("Unsaid", (), {"__repr__": lambda self: "UNSAID"})()
_ASI = VALUE_FIELDS.index("asi_months")
_VITAMIN_A = VALUE_FIELDS.index("vitamin_a")


class _Values:
    """A visit's stored values, for the change checks (duck-typed like a Measurement)."""

    __slots__ = ("date", "weight", "lenhei", "position", "birth_date")

    def __init__(self, date, weight, lenhei, position, birth_date):
        self.date, self.weight, self.lenhei, self.position, self.birth_date = date, weight, lenhei, position, birth_date


@register
class EppgbmImporter(Importer):
    kind = "eppgbm"
    title = _("child measurements (e-PPGBM)")
    model = Measurement
    chunk_size = 5000
    columns = with_aliases((
        Column("no", "No", ("no urut",), in_template=False, used=False),
        Column("nik", "NIK", ("nik anak", "no nik"), _("The child's NIK (16 digits). Optional but best."), "", True),
        Column("name", "Nama", ("nama anak", "nama balita"), _("Required."), "Contoh Anak"),
        Column("sex", "JK", ("jenis kelamin", "l p", "sex"), _("Required: L or P."), "L"),
        Column("birth_date", "Tgl Lahir", ("tanggal lahir", "tgl lahir anak", "birth date"), _("Required: dd/mm/yyyy."), "01/01/2000"),
        Column("birth_order", "Anak Ke", ("anak ke ", "urutan lahir", "anak keberapa"), in_template=False),
        Column("birth_weight", "BB Lahir", ("berat lahir", "bb lahir kg"), _("Birth weight, kg."), ""),
        Column("birth_length", "TB Lahir", ("panjang lahir", "pb lahir", "tb lahir cm"), _("Birth length, cm."), ""),
        Column("parent_name", "Nama Ortu", ("nama ibu", "nama orang tua", "nama ibu ortu"), _("Mother's or parent's name."), ""),
        Column("parent_nik", "NIK Ortu", ("nik ibu", "nik orang tua", "nik ayah"), in_template=False, text_format=True),
        Column("parent_phone", "No HP Ortu", ("no hp", "no telp", "telepon", "hp ortu", "no hp orang tua"), in_template=False),
        Column("prov", "Prov", ("provinsi",), in_template=False, used=False),
        Column("kab", "Kab/Kota", ("kabupaten", "kab kota", "kota"), in_template=False, used=False),
        Column("kecamatan", "Kec", ("kecamatan",), _("Required: the kecamatan's name."), "Contoh"),
        Column("puskesmas", "Puskesmas", ("pukesmas", "nama puskesmas", "pkm"), _("The puskesmas's name (checked when given)."), ""),
        Column("desa", "Desa/Kel", ("desa", "kelurahan", "desa kelurahan", "desa kel"), _("Required: the desa's name."), "Contoh"),
        Column("posyandu", "Posyandu", ("nama posyandu",), _("The posyandu's name in that desa."), "Contoh"),
        Column("rt", "RT", (), _("Optional."), ""),
        Column("rw", "RW", (), _("Optional."), ""),
        Column("address", "Alamat", ("alamat anak",), _("Optional."), ""),
        # e-PPGBM's current download keeps this header but some downloads leave its cell out.
        Column("total", "Total Pengukuran", ("jumlah pengukuran",), in_template=False, used=False,
               omissible=lambda text: text == "" or text.isdigit()),
        Column("age_text", "Usia Saat Ukur", ("usia", "umur"), in_template=False),
        Column("date", "Tanggal Pengukuran", ("tgl pengukuran", "tanggal ukur", "tgl ukur", "tanggal kunjungan"),
               _("Required: dd/mm/yyyy."), "01/01/2000"),
        Column("month", "Bulan Pengukuran", ("bulan",), in_template=False, used=False),
        Column("weight", "Berat", ("bb", "berat badan", "berat kg", "bb kg"), _("Weight in kg, e.g. 9,5."), "1"),
        Column("lenhei", "Tinggi", ("tb", "tinggi badan", "panjang badan", "tinggi cm", "tb cm", "pb tb"),
               _("Length or height in cm, e.g. 80,5."), "1"),
        Column("position", "Cara Ukur", ("posisi", "cara pengukuran"), _("Terlentang (lying) or Berdiri (standing)."), "Berdiri"),
        Column("muac", "LiLA", ("lila cm", "lingkar lengan atas"), _("Optional, cm."), ""),
        Column("headc", "Lingkar Kepala", ("lk", "lingkar kepala cm", "lika"), in_template=False),
        Column("oedema", "Edema", ("oedema", "edema pitting", "pitting edema", "edema bilateral"), in_template=False),
        *(Column(f"asi_{m}", f"ASI Bulan {m}", (f"asi eksklusif bulan {m}", f"e{m}", f"asi {m}"), in_template=False) for m in range(7)),
        Column("bbu", "BB/U", (), in_template=False, used=False),
        Column("zs_bbu", "ZS BB/U", ("zs bb u", "z bb u"), in_template=False),
        Column("tbu", "TB/U", (), in_template=False, used=False),
        Column("zs_tbu", "ZS TB/U", ("zs tb u", "z tb u"), in_template=False),
        Column("bbtb", "BB/TB", (), in_template=False, used=False),
        Column("zs_bbtb", "ZS BB/TB", ("zs bb tb", "z bb tb"), in_template=False),
        Column("naik", "Naik Berat Badan", ("naik bb", "n t"), in_template=False),
        Column("pmt", "PMT Diterima (kg)", (), in_template=False, used=False),
        Column("vita", "Jml Vit A", ("vitamin a", "vit a", "jumlah vitamin a"), in_template=False),
        Column("kpsp", "KPSP", (), in_template=False),
        Column("kia", "KIA", ("buku kia", "punya buku kia"), in_template=False),
        Column("kelas_ibu", "Kelas Ibu Balita", ("kelas ibu",), in_template=False),
        Column("mbg", "MBG", ("makan bergizi gratis",), in_template=False),
        Column("detail", "Detail", ("detail status",), in_template=False, used=False),
        Column("status_desa", "status desa", (), in_template=False, used=False),
    ))
    required = (("name",), ("birth_date",), ("sex",), ("desa",), ("date",), ("weight", "lenhei"))

    @classmethod
    def pages(cls, batch=None) -> str | None:
        if batch is None:
            return reverse("measurement_imports:upload")
        return reverse("measurement_imports:batch", args=[batch.pk])

    @classmethod
    def references(cls, user, kabupaten):

        desa = policy.visible(user, Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.DESA))
        kecamatan = dict(Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.KECAMATAN).values_list("code", "name"))
        posyandu = policy.visible(user, Posyandu.objects.filter(desa__kabupaten_code=kabupaten.code)).select_related("desa", "puskesmas")
        return [
            ("Desa", ["Kec", "Desa/Kel", "Kode Desa"], [[kecamatan.get(w.kecamatan_code, ""), w.name, w.code] for w in desa]),
            ("Posyandu", ["Desa/Kel", "Posyandu", "Puskesmas"], [[p.desa.name, p.name, p.puskesmas.name] for p in posyandu]),
        ]

    # ---------------------------------------------------------------- prepare

    def prepare(self) -> None:

        kab = self.kabupaten.code
        self.today = dt.date.today()
        self.years: set[int] = set()  # of the visits written (findings["years"]: what to recompute)
        if connection.vendor == "sqlite":
            # A million rows go into tables with several indexes: give this connection a
            # page cache large enough for them (SQLite's default is 2 MB).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
        self.known_kecamatan = set(Wilayah.objects.filter(level=Level.KECAMATAN).values_list("code", flat=True))
        # Names: regions are public reference data; whether the user may import into one is
        # decided by ``policy`` (outside your area).
        self.kecamatan = {}
        self.kecamatan_names = {}
        self.desa = defaultdict(dict)  # kecamatan code -> {key: desa code}
        self.desa_names = {}
        for code, name, level, kec in Wilayah.objects.filter(kabupaten_code=kab, level__in=[Level.KECAMATAN, Level.DESA]).values_list(
            "code", "name", "level", "kecamatan_code"
        ):
            if level == Level.KECAMATAN:
                self.kecamatan[name_key("kecamatan", name)] = code
                self.kecamatan_names[code] = name
            else:
                self.desa[kec][name_key("desa", name)] = code
                self.desa_names[code] = name
        self.visible_desa = set(policy.visible(self.user, Wilayah.objects.filter(kabupaten_code=kab, level=Level.DESA)).values_list("code", flat=True))
        self.posyandu = defaultdict(dict)  # desa code -> {key: posyandu id}
        self.posyandu_names = {}
        for pk, name, desa in Posyandu.objects.filter(desa__kabupaten_code=kab).values_list("pk", "name", "desa_id"):
            self.posyandu[desa][name_key("posyandu", name)] = pk
            self.posyandu_names[pk] = name
        self.puskesmas = {}
        self.puskesmas_names = {}
        for pk, name in Puskesmas.objects.filter(kecamatan__kabupaten_code=kab).values_list("pk", "name"):
            self.puskesmas[name_key("puskesmas", name)] = pk
            self.puskesmas_names[pk] = name
        self.mappings = {
            (m.kind, m.parent, m.source): m.target for m in NameMapping.objects.filter(kabupaten=self.kabupaten)
        }
        self.unmatched: dict[tuple, dict] = {}
        self._extras: dict[tuple, tuple] = {}
        self._name_cache: dict[tuple, object] = {}
        self._raw_cache: dict[tuple, tuple] = {}

        # Children and their visits, within the user's scope.
        self.by_nik: dict[str, ChildRef] = {}
        self.by_identity: dict[tuple, ChildRef] = {}
        self.by_pk: dict[int, ChildRef] = {}
        children = self.in_scope(Child.objects.filter(desa__kabupaten_code=kab)).values_list(
            "pk", "nik", "name", "birth_date", "sex", "desa_id", *FILLABLE,
        )
        for pk, nik, name, birth, sex, desa, *fillable in children.iterator(chunk_size=20000):
            blank = sum(bit for bit, value in zip(FILLABLE.values(), fillable, strict=True) if value in (None, ""))
            ref = ChildRef(pk, nik, name, birth, sex, desa, blank=blank)
            self.by_pk[pk] = ref
            if nik:
                self.by_nik[nik] = ref
            if not is_anonymised(name):  # a placeholder name is never matched on
                self.by_identity.setdefault((person_key(name), birth, desa), ref)
        self.nik_elsewhere = set(
            Child.objects.exclude(nik="").exclude(pk__in=children.values("pk")).values_list("nik", flat=True)
        )
        measurements = self.in_scope(Measurement.objects.filter(desa__kabupaten_code=kab)).values_list(
            "pk", "child_id", "date", *BASE_FIELDS[:-1], "posyandu_id", *EXTRA_FIELDS,
        )
        split = len(BASE_FIELDS)
        for pk, child_id, date, *values in measurements.iterator(chunk_size=20000):
            ref = self.by_pk.get(child_id)
            if ref is not None:
                ref.visits[date.toordinal()] = [pk, 0, None, self._values(values[:split], values[split:])]

        # Which optional columns the file has: a column it does not have says nothing.
        present = set(self.header_spec().match(self.batch.headers or []))
        self.has = {key: key in present for key in (
            "weight", "lenhei", "position", "muac", "zs_tbu", "zs_bbu", "zs_bbtb", "posyandu", "headc", "oedema",
        )}
        # (column, index into VALUE_FIELDS or -1 - month for an ASI month, reader, {text: value read})
        self.service_columns = [(key, VALUE_FIELDS.index(field), reader, {})
                                for key, (field, reader) in SERVICE_COLUMNS.items() if key in present]
        self.service_columns += [(key, -1 - m, read_asi, {}) for m, key in enumerate(ASI_COLUMNS) if key in present]
        self.has_asi = any(key in present for key in ASI_COLUMNS)
        self.child_columns = [(key, reader) for key, reader in (
            ("birth_order", read_birth_order), ("parent_nik", self._parent_nik), ("parent_phone", read_phone)) if key in present]

        # Counts for the batch page.
        self.new_children: list[ChildRef] = []
        self.children_created = 0
        self.child_updates: dict[int, dict] = {}  # stored child pk -> {field: value} to fill in
        self.zscore_disagreements = 0
        self.warned_rows = 0
        self.invalid_nik: list[list] = []
        self.invalid_nik_count = 0
        self.anonymised = self.anonymised_new = self.names_replaced = 0
        self.service_unreadable = 0
        self.ignored: dict[str, int] = defaultdict(int)  # column header -> cells ignored
        self.ignored_rows: list[list] = []  # [row, column header, value], the first 5000

    def _values(self, base, extra) -> tuple:
        """A visit's values (``VALUE_FIELDS``) in the form kept per visit: ``extra`` shared."""
        extra = tuple(extra)
        return (*base, self._extras.setdefault(extra, extra))

    # ---------------------------------------------------------------- names

    def _name(self, kind: str, text: str, parent: str, parent_label: str, candidates: dict, labels: dict):
        raw = self._raw_cache.get((kind, parent, text))  # the same spelling again: no normalising
        key = raw[0] if raw else name_key(kind, text)
        cache_key = (kind, parent, key)
        hit = raw[1] if raw else self._name_cache.get(cache_key)
        if hit is not None:
            self._raw_cache[(kind, parent, text)] = (key, hit)
            if isinstance(hit, RowError):
                self.unmatched[cache_key]["rows"] += 1
                raise hit
            return hit
        target = candidates.get(key)
        if target is None:
            mapped = self.mappings.get(cache_key)
            if mapped is not None:
                target = int(mapped) if kind in ("posyandu", "puskesmas") else mapped
                if target not in labels:
                    target = None
        if target is not None:
            self._name_cache[cache_key] = target
            return target
        proposal = propose(key, candidates)
        entry = self.unmatched.setdefault(cache_key, {
            "kind": kind, "parent": parent, "parent_name": parent_label, "source": key, "source_text": text,
            "proposal": str(proposal) if proposal is not None else "",
            "proposal_name": labels.get(proposal, "") if proposal is not None else "", "rows": 0,
        })
        entry["rows"] += 1
        if proposal is not None:
            error = RowError(NAME_REASONS_PROPOSED[kind], name=text, parent=parent_label, proposal=labels[proposal])
        else:
            error = RowError(NAME_REASONS[kind], name=text, parent=parent_label)
        self._name_cache[cache_key] = error
        raise error

    def _places(self, row: Row) -> tuple[str, int | None]:
        kab = self.kabupaten.code
        if not row["kecamatan"]:
            raise RowError(gettext_noop("Kecamatan is empty"))
        if not row["desa"]:
            raise RowError(gettext_noop("Desa is empty"))
        kecamatan = self._name("kecamatan", row["kecamatan"], kab, self.kabupaten.name, self.kecamatan, self.kecamatan_names)
        desa = self._name("desa", row["desa"], kecamatan, self.kecamatan_names[kecamatan], self.desa[kecamatan], self.desa_names)
        if desa not in self.visible_desa:
            raise RowError(gettext_noop("Desa %(name)s is outside your area"), name=self.desa_names[desa])
        posyandu = None
        if row["puskesmas"]:
            self._name("puskesmas", row["puskesmas"], kab, self.kabupaten.name, self.puskesmas, self.puskesmas_names)
        if row["posyandu"]:
            posyandu = self._name("posyandu", row["posyandu"], desa, self.desa_names[desa], self.posyandu[desa], self.posyandu_names)
        return desa, posyandu

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
        problems = validation.check_dates(date, birth, self.today) + validation.check_values(weight, lenhei, muac, headc)
        error = validation.first_error(problems)
        if error is not None:
            raise RowError(error.message, **error.params)
        position = ""
        if row["position"]:
            position = _POSITION.get(person_key(row["position"]))
            if position is None:
                raise RowError(gettext_noop("Cara Ukur must be Terlentang or Berdiri, not %(value)s"), value=row["position"])
        oedema = self._oedema(row) if has["oedema"] else None
        warnings = [p.code for p in problems]
        if row["age_text"]:
            stated = _AGE_TEXT.search(row["age_text"])
            if stated:
                years, months, days = (int(g or 0) for g in stated.groups())
                if abs(years * 365.25 + months * 30.4375 + days - (date - birth).days) > 31:
                    warnings.append("age_text_mismatch")
        desa, posyandu = self._places(row)
        # What the row says about the visit (``VALUE_FIELDS``); UNSAID where it says nothing.
        said = [
            weight if has["weight"] else UNSAID, lenhei if has["lenhei"] else UNSAID,
            position if has["position"] else UNSAID, UNSAID if muac is None else muac,
            _float(row["zs_tbu"], "ZS TB/U") if has["zs_tbu"] else UNSAID,
            _float(row["zs_bbu"], "ZS BB/U") if has["zs_bbu"] else UNSAID,
            _float(row["zs_bbtb"], "ZS BB/TB") if has["zs_bbtb"] else UNSAID,
            posyandu if has["posyandu"] else UNSAID, UNSAID if headc is None else headc,
            UNSAID if oedema is None else oedema, *(UNSAID,) * len(Measurement.SERVICE_FIELDS),
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
            raise RowError(gettext_noop("Same child and measurement date as row %(row)s in this file, but with different values"), row=entry[1])
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
        return Plan(row, None, changed=changed, extra={
            "ref": ref, "pk": existing_pk, "date": date, "values": values, "desa": desa, "warnings": warnings,
        })

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
                shown = mask_nik(text) if key == "parent_nik" else (_mask_phone(text) if key == "parent_phone" else text)
                self.ignored_rows.append([row.number, header, shown[:60]])

    def _date(self, row: Row, key: str) -> dt.date | None:
        try:
            return parse_date(row[key])
        except ValueError:
            raise RowError(gettext_noop("%(column)s is not a date: %(value)s"), column=self.header_name(key), value=row[key]) from None

    def _decimal(self, row: Row, key: str) -> Decimal | None:
        try:
            return parse_decimal(row[key])
        except ValueError:
            raise RowError(gettext_noop("%(column)s is not a number: %(value)s"), column=self.header_name(key), value=row[key]) from None

    def _child(self, row: Row, nik: str, name: str, sex: int, birth: dt.date, desa: str, posyandu: int | None,
               anonymised: bool) -> tuple[ChildRef, bool]:
        """The row's child and whether it is new. An anonymised name is never matched or
        indexed by name: such a row comes with a valid NIK, which alone decides."""
        if nik:
            ref = self.by_nik.get(nik)
            if ref is not None:
                if ref.birth != birth or not _same_name(ref.name, name):
                    raise RowError(
                        gettext_noop("NIK %(nik)s already belongs to another child (%(name)s, born %(birth)s)"),
                        nik=nik, name=ref.name, birth=f"{ref.birth:%d/%m/%Y}",
                    )
                return ref, False
            if nik in self.nik_elsewhere:
                raise RowError(gettext_noop("NIK %(nik)s belongs to a child registered outside your area"), nik=nik)
        identity = None if anonymised else (person_key(name), birth, desa)
        ref = self.by_identity.get(identity) if identity else None
        if ref is not None:
            if nik and ref.nik and ref.nik != nik:
                raise RowError(
                    gettext_noop("This child is registered with a different NIK (%(nik)s)"), nik=ref.nik,
                )
            return ref, False
        obj = {
            "nik": nik, "name": name[:150], "sex": sex, "birth_date": birth, "desa_id": desa, "posyandu_id": posyandu,
            "birth_weight": self._birth_value(row, "birth_weight", _TWO, 0.3, 7.0),
            "birth_length": self._birth_value(row, "birth_length", _ONE, 25, 65),
            "parent_name": row["parent_name"][:150], "rt": row["rt"][:4], "rw": row["rw"][:4], "address": row["address"][:200],
            "birth_order": None, "parent_nik": "", "parent_phone": "",
        }
        ref = ChildRef(None, nik, name, birth, sex, desa, obj)
        if identity:
            self.by_identity[identity] = ref
        if nik:
            self.by_nik[nik] = ref
        self.new_children.append(ref)
        return ref, True

    def _fill_child(self, ref: ChildRef, found: dict) -> None:
        """Give the child what the row has and the child lacks; never overwrite."""
        for field, value in found.items():
            if ref.pk is None:
                if ref.obj[field] in (None, ""):
                    ref.obj[field] = value
            elif ref.blank & FILLABLE[field]:
                ref.blank &= ~FILLABLE[field]
                self.child_updates.setdefault(ref.pk, {})[field] = value

    def _replace_placeholder(self, ref: ChildRef, name: str) -> None:
        """A child known by an anonymised placeholder gets the real name the row gives."""
        ref.name = name
        self.by_identity.setdefault((person_key(name), ref.birth, ref.desa), ref)
        if ref.pk is None:
            ref.obj["name"] = name[:150]
        else:
            self.child_updates.setdefault(ref.pk, {})["name"] = name[:150]
        self.names_replaced += 1

    def _birth_value(self, row: Row, key: str, step: Decimal, low: float, high: float) -> Decimal | None:
        """Birth weight/length: kept when plausible, else left empty (not a reason to refuse a visit)."""
        try:
            value = parse_decimal(row[key])
        except ValueError:
            return None
        if value is None or not (low <= float(value) <= high):
            return None
        return _q(value, step)

    def _give_nik(self, ref: ChildRef, nik: str) -> None:
        ref.nik = nik
        self.by_nik[nik] = ref
        if ref.pk is None:
            ref.obj["nik"] = nik
        else:
            self.child_updates.setdefault(ref.pk, {})["nik"] = nik

    def _check_change(self, ref: ChildRef, ordinal: int, date, weight, lenhei, position) -> None:
        """``validation.check_change`` against the child's nearest visits before and after
        (a quick arithmetic screen first: most rows pass it and need no more)."""
        if not ref.visits:
            return
        earlier = later = None
        for o in ref.visits:
            if o < ordinal:
                if earlier is None or o > earlier:
                    earlier = o
            elif o > ordinal and (later is None or o < later):
                later = o
        birth = ref.birth.toordinal()
        h = float(lenhei) if lenhei is not None else None
        w = float(weight) if weight is not None else None
        for other in (earlier, later):
            if other is None:
                continue
            ow, oh, opos = ref.visits[other][3][:3]
            if not _suspicious(ordinal, w, h, position, other, ow, oh, opos, birth):
                continue
            previous = _Values(dt.date.fromordinal(other), ow, oh, opos, ref.birth)
            problems = validation.check_change(_Values(date, weight, lenhei, position, ref.birth), previous, ref.birth)
            if problems:
                raise RowError(problems[0].message, **problems[0].params)

    # ---------------------------------------------------------------- writing a chunk

    def write(self, plans: list[Plan]) -> list[str | RowError]:
        """New children and visits in bulk (``insert_rows``: no model instances, a
        million rows stay fast); changed visits one by one through ``do_save`` (audited)."""
        outcomes: list[str | RowError] = [UNCHANGED] * len(plans)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        new_children = [ref for ref in self.new_children if ref.pk is None]
        if new_children:
            ids = _allocate_ids(Child, len(new_children))
            rows = []
            for pk, ref in zip(ids, new_children, strict=True):
                f = ref.obj
                rows.append((pk, new_tumbuh_id(), f["nik"], f["name"], f["sex"], _db_date(f["birth_date"]), _db_decimal(f["birth_weight"]),
                             _db_decimal(f["birth_length"]), f["parent_name"], f["desa_id"], f["posyandu_id"], f["rt"], f["rw"],
                             f["address"], f["birth_order"], f["parent_nik"], f["parent_phone"], now, now))
                ref.pk = pk
                ref.blank = sum(bit for field, bit in FILLABLE.items() if f[field] in (None, ""))
                ref.obj = None  # keep memory small: the ref is enough from now on
                self.by_pk[pk] = ref
            insert_rows(Child, _CHILD_COLUMNS, rows)
            self.children_created += len(new_children)
        self.new_children = []
        self._update_children()

        creates = [i for i, p in enumerate(plans) if p.changed and p.extra["pk"] is None]
        updates = [i for i, p in enumerate(plans) if p.changed and p.extra["pk"] is not None]
        self.years.update(plans[i].extra["date"].year for i in (*creates, *updates))
        if creates:
            self._insert_measurements([plans[i] for i in creates], now)
            for i in creates:
                outcomes[i] = CREATED
        if updates:
            existing = Measurement.objects.select_related("child").in_bulk([plans[i].extra["pk"] for i in updates])
            for i in updates:
                self._fill(existing[plans[i].extra["pk"]], plans[i])
            score(list(existing.values()))
            for i in updates:
                plan = plans[i]
                m = existing[plan.extra["pk"]]
                self._finish_measurement(m, plan)
                m.import_batch = self.batch
                self.current_row = plan.row.number
                do_save(self.user, m, reason=self.audit_reason(plan.row), validate=False)
                outcomes[i] = UPDATED
        return outcomes

    def _update_children(self) -> None:
        """Stored children this chunk's rows complete: a NIK, birth order, the parent's NIK or
        phone where the child had none, a real name for a placeholder. One audited save each."""
        if not self.child_updates:
            return
        for child in Child.objects.filter(pk__in=list(self.child_updates)).order_by("pk"):
            fields = self.child_updates[child.pk]
            changed = []
            for field, value in fields.items():
                current = getattr(child, field)
                if field == "name" and not is_anonymised(current):
                    continue  # someone gave the child a name meanwhile: theirs stays
                if field != "name" and current not in (None, ""):
                    continue
                setattr(child, field, value)
                changed.append(_CHILD_FIELD_LABELS[field])
            if changed:
                do_save(self.user, child, reason=f"impor {self.batch.file_name}: {', '.join(changed)}")
        self.child_updates = {}

    def _insert_measurements(self, plans: list[Plan], now) -> None:
        x = [p.extra for p in plans]
        refs = [e["ref"] for e in x]
        v = [e["values"] for e in x]  # BASE_FIELDS, then the EXTRA_FIELDS tuple
        extra = [e[-1] for e in v]
        z = score_columns(
            sex=np.fromiter((r.sex for r in refs), dtype=np.float64, count=len(refs)),
            birth=np.fromiter((r.birth.toordinal() for r in refs), dtype=np.int64, count=len(refs)),
            visit=np.fromiter((e["date"].toordinal() for e in x), dtype=np.int64, count=len(x)),
            weight=_nan_floats(e[0] for e in v),
            lenhei=_nan_floats(e[1] for e in v),
            position=np.array([e[2] or None for e in v], dtype=object),
            oedema=np.fromiter((e[1] for e in extra), dtype=bool, count=len(extra)),
            muac=_nan_floats(e[3] for e in v),
            headc=_nan_floats(e[0] for e in extra),
        )
        theirs = {k: _nan_floats(e[4 + i] for e in v) for i, k in enumerate(("eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl"))}
        differs = np.zeros(len(x), dtype=bool)
        for ours, key in (("zlen", "eppgbm_zlen"), ("zwei", "eppgbm_zwei"), ("zwfl", "eppgbm_zwfl")):
            a, b = z[ours], theirs[key]
            with np.errstate(invalid="ignore"):
                differs |= ~np.isnan(b) & (np.isnan(a) | (np.abs(a - b) > Z_TOLERANCE))
        self.zscore_disagreements += int(differs.sum())
        flagged = {name: z[name] == 1 for name in validation.FLAG_FIELDS}
        warnings = []
        for i, e in enumerate(x):
            codes = list(e["warnings"])
            for name, mask in flagged.items():
                if mask[i]:
                    codes.append(f"who_flag_{name[1:]}")
            warnings.append(";".join(codes)[:300])
            if codes:
                self.warned_rows += 1
        columns = {
            "age_days": z["age_days"].astype(np.int64).tolist(),
            **{f: _none_for_nan(z[f]) for f in ("zlen", "zwei", "zwfl", "zbmi", "zac", "zhc")},
            **{f: _flags(z[f]) for f in validation.FLAG_FIELDS},
            **{f: [v or "" for v in z[f].tolist()] for f in ("status_tbu", "status_bbu", "status_bbtb", "status_imtu")},
            "engine_reason": [str(v or "")[:300] for v in z["engine_reason"].tolist()],
        }
        batch_id, actor = self.batch.pk, getattr(self._actor(), "pk", None)
        rows = []
        for i, e in enumerate(x):
            weight, lenhei, position, muac, ezlen, ezwei, ezwfl, posyandu, (headc, oedema, *services) = v[i]
            rows.append((
                e["ref"].pk, _db_date(e["date"]), _db_decimal(weight), _db_decimal(lenhei), position,
                _db_decimal(muac), _db_decimal(headc), oedema, e["desa"], posyandu, Source.IMPORT, batch_id, actor, now, now,
                columns["age_days"][i], columns["zlen"][i], columns["zwei"][i], columns["zwfl"][i], columns["zbmi"][i],
                columns["zac"][i], columns["zhc"][i], columns["flen"][i], columns["fwei"][i], columns["fwfl"][i],
                columns["fbmi"][i], columns["fac"][i], columns["fhc"][i], columns["status_tbu"][i], columns["status_bbu"][i],
                columns["status_bbtb"][i], columns["status_imtu"][i], columns["engine_reason"][i], warnings[i],
                ezlen, ezwei, ezwfl, *services,
            ))
        insert_rows(Measurement, _MEASUREMENT_COLUMNS, rows)

    def _actor(self):
        return self.user if getattr(self.user, "pk", None) else None

    @staticmethod
    def _fill(m: Measurement, plan: Plan) -> None:
        x = plan.extra
        m.date, m.desa_id = x["date"], x["desa"]
        *base, extra = x["values"]
        for name, value in zip(VALUE_FIELDS, (*base, *extra), strict=True):
            setattr(m, "posyandu_id" if name == "posyandu" else name, value)

    def _finish_measurement(self, m: Measurement, plan: Plan) -> None:
        warnings = list(plan.extra["warnings"]) + [p.code for p in validation.check_flags(m)]
        m.warnings = ";".join(warnings)[:300]
        if warnings:
            self.warned_rows += 1
        for ours, theirs in (("zlen", "eppgbm_zlen"), ("zwei", "eppgbm_zwei"), ("zwfl", "eppgbm_zwfl")):
            a, b = getattr(m, ours), getattr(m, theirs)
            if b is not None and (a is None or abs(a - b) > Z_TOLERANCE):
                self.zscore_disagreements += 1
                break

    # ---------------------------------------------------------------- the batch

    def finish(self) -> None:
        unmatched = sorted(
            ({k: v for k, v in e.items() if not k.startswith("_")} for e in self.unmatched.values()),
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
        if self.batch.created and self.batch.pk:
            record(
                self._actor() or self.user, AuditAction.CREATE, self.batch, None,
                {"measurements_created": self.batch.created, "children_created": self.children_created,
                 "file": self.batch.file_name, "sha256": self.batch.file_sha256},
                reason=f"impor {self.batch.file_name}: {self.batch.created} pengukuran baru, {self.children_created} anak baru",
            )

    @classmethod
    def finding_lines(cls, batch) -> list[str]:
        """For the command line: z-score disagreements, anonymised names, cells that could not be
        read and the first 20 unknown names."""
        findings = batch.findings or {}
        lines = []
        if findings.get("zscore_disagreements"):
            lines.append(_("e-PPGBM's z-scores differ from Tumbuh's by more than 0.01 in %(n)s rows.")
                         % {"n": findings["zscore_disagreements"]})
        if findings.get("anonymised_names"):
            lines.append(_("%(n)s rows carry an anonymised name (ANON_…), recognised by the NIK only; %(new)s new "
                           "children got it as a placeholder name.")
                         % {"n": findings["anonymised_names"], "new": findings.get("anonymised_new_children", 0)})
        if findings.get("service_unreadable"):
            lines.append(_("%(n)s service cells could not be read: their visits keep what they had (unknown for a new "
                           "visit); the rows were kept.")
                         % {"n": findings["service_unreadable"]})
        if findings.get("ignored_cells"):
            columns = ", ".join(f"{column} {n}" for column, n in findings["ignored_cells"].items())
            lines.append(_("Cells that could not be read, per column: %(columns)s") % {"columns": columns})
        for entry in findings.get("unmatched", [])[:20]:
            lines.append(_("Unknown %(kind)s name %(name)s (%(rows)s rows); proposal: %(proposal)s")
                         % {"kind": entry["kind"], "name": entry["source_text"], "rows": entry["rows"],
                            "proposal": entry["proposal_name"] or "—"})
        return lines


_CHILD_COLUMNS = ("id", "tumbuh_id", "nik", "name", "sex", "birth_date", "birth_weight", "birth_length", "parent_name",
                  "desa", "posyandu", "rt", "rw", "address", "birth_order", "parent_nik", "parent_phone", "created_at",
                  "updated_at")
_MEASUREMENT_COLUMNS = (
    "child", "date", "weight", "lenhei", "position", "muac", "headc", "oedema", "desa", "posyandu", "source", "import_batch",
    "entered_by", "created_at", "updated_at", "age_days", "zlen", "zwei", "zwfl", "zbmi", "zac", "zhc", "flen", "fwei", "fwfl",
    "fbmi", "fac", "fhc", "status_tbu", "status_bbu", "status_bbtb", "status_imtu", "engine_reason", "warnings",
    "eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl", *Measurement.SERVICE_FIELDS,
)
#: How the audit reason names the child fields an import fills in.
_CHILD_FIELD_LABELS = {"nik": "NIK", "name": "nama", "birth_order": "anak ke", "parent_nik": "NIK orang tua",
                       "parent_phone": "no HP orang tua"}


def _db_date(value):
    if value is None:
        return None
    return value.isoformat() if connection.vendor == "sqlite" else value


def _db_decimal(value):
    if value is None:
        return None
    return str(value) if connection.vendor == "sqlite" else value


def _nan_floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _none_for_nan(array: np.ndarray) -> list:
    out = array.astype(object)
    out[np.isnan(array)] = None
    return out.tolist()


def _flags(array: np.ndarray) -> list:
    return [None if v != v else bool(v) for v in array.tolist()]


def _allocate_ids(model, n: int) -> list[int]:
    """``n`` primary keys for rows inserted without the ORM. Called inside the batch's
    transaction: SQLite holds the write lock (IMMEDIATE), PostgreSQL hands out sequence values."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def _suspicious(d1, w1, h1, p1, d2, w2, h2, p2, birth) -> bool:
    """A cheap, generous screen for ``validation.check_change`` (which has the final word)."""
    if h1 is not None and h2 is not None:
        s1 = h1 - (0.7 if (p1 == "l" or (not p1 and d1 - birth < 731)) else 0)
        s2 = float(h2) - (0.7 if (p2 == "l" or (not p2 and d2 - birth < 731)) else 0)
        if (s2 - s1 if d1 < d2 else s1 - s2) < -1.4:
            return True
    if w1 is not None and w2 is not None:
        change = abs(w1 - float(w2))
        lowest_limit = validation.WEIGHT_TOLERANCE + min(
            validation.WEIGHT_LOSS_PER_DAY * abs(d1 - d2), validation.WEIGHT_LOSS_MAX_SHARE * min(w1, float(w2))
        )
        if change > lowest_limit - 0.1:
            return True
    return False


def _same_name(a: str, b: str) -> bool:
    """Could these be the same child's name? An anonymised name could be anyone's: the birth
    date and the NIK decide."""
    a, b = person_key(a), person_key(b)
    if a == b or is_anonymised(a) or is_anonymised(b):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


# ---------------------------------------------------------------- warnings on a visit

#: What the importer's own warning codes on a visit mean (shown on the child's page).
WARNING_TEXT = {
    "name_anonymised": _("The imported file had an anonymised name (ANON_…): the child was recognised by the NIK."),
    "name_anonymised:new_child": _(
        "The imported file had an anonymised name (ANON_…): the child was registered with it as a placeholder name; "
        "correct the name, or import a file with the real name and the same NIK."
    ),
    "birth_order_invalid": _("The birth order (Anak Ke) in the imported file could not be read and was ignored."),
    "parent_nik_invalid": _("The parent's NIK in the imported file is not valid and was not stored."),
    "parent_phone_invalid": _("The parent's phone number in the imported file could not be read and was not stored."),
    "asi_month_after_age": _("The imported file recorded exclusive breastfeeding for a month the child had not reached at "
                             "the visit: that month was ignored."),
}


def warning_text(code: str) -> str | None:
    """The message for one of the importer's warning codes, or None for another code."""
    if code.startswith("service_unreadable:"):
        key = code.split(":", 1)[1]
        column = next((c.header for c in EppgbmImporter.columns if c.key == key), key)
        return gettext("The %(column)s cell in the imported file could not be read: the visit keeps the value it had "
                       "(unknown for a new visit).") % {"column": column}
    text = WARNING_TEXT.get(code)
    return None if text is None else str(text)


# ---------------------------------------------------------------- confirming names


def confirm_mapping(user, batch, kind: str, parent: str, source: str, source_text: str, target: str) -> NameMapping:
    """Remember that ``source`` (a normalised name in ``parent``) means ``target``."""
    labels = _target_labels(batch.kabupaten, kind, parent)
    if target not in labels:
        raise ValueError(target)
    mapping = NameMapping.objects.filter(kabupaten=batch.kabupaten, kind=kind, parent=parent, source=source).first()
    mapping = mapping or NameMapping(kabupaten=batch.kabupaten, kind=kind, parent=parent, source=source, created_by=user)
    mapping.source_text = source_text[:150]
    mapping.target = target
    mapping.target_name = labels[target][:150]
    # Confirming a name is part of the import the user ran (a puskesmas officer's own batch).
    do_save(user, mapping, reason=f"impor {batch.file_name}: nama dikonfirmasi", permitted_by=(policy.ADD, batch))
    return mapping


def _target_labels(kabupaten, kind: str, parent: str) -> dict[str, str]:
    """What a name of ``kind`` within ``parent`` may be mapped to: {target: label}."""
    if kind == NameKind.KECAMATAN:
        qs = Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.KECAMATAN)
        return dict(qs.values_list("code", "name"))
    if kind == NameKind.DESA:
        return dict(Wilayah.objects.filter(kecamatan_code=parent, level=Level.DESA).values_list("code", "name"))
    if kind == NameKind.PUSKESMAS:
        qs = Puskesmas.objects.filter(kecamatan__kabupaten_code=kabupaten.code)
        return {str(pk): name for pk, name in qs.values_list("pk", "name")}
    return {str(pk): name for pk, name in Posyandu.objects.filter(desa_id=parent).values_list("pk", "name")}


def target_choices(kabupaten, kind: str, parent: str) -> list[tuple[str, str]]:
    return sorted(_target_labels(kabupaten, kind, parent).items(), key=lambda kv: kv[1])
