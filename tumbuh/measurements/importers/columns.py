"""The e-PPGBM columns and their cells: the declared columns (with the upload layout's headers
as aliases), the readers that turn a cell into a stored value (decimal commas, L/P,
Terlentang/Berdiri, the service letters, phone numbers), the visit's values a row can say
(``VALUE_FIELDS``; ``UNSAID`` where it says nothing) and what the importer's warning codes on
a visit mean."""

from __future__ import annotations

import dataclasses
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tumbuh.imports.cells import NO_ANSWER, clean_text, fold, parse_count, parse_decimal, parse_yes_no
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column

from ..actions import check_phone, clean_phone
from ..models import Measurement, Position, Sex
from ..upload_layout import load_layout

#: A row the importer may not import: of a desa outside the user's area, or of a child (by its
#: NIK) registered outside it. One message for both, naming neither: the reason must not tell
#: the user that a NIK exists outside their area.
OUTSIDE_AREA = gettext_noop("This row cannot be imported into your area")

_TWO, _ONE = Decimal("0.01"), Decimal("0.1")
_SEX = {
    "l": Sex.MALE,
    "lk": Sex.MALE,
    "laki laki": Sex.MALE,
    "laki": Sex.MALE,
    "1": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "p": Sex.FEMALE,
    "pr": Sex.FEMALE,
    "perempuan": Sex.FEMALE,
    "2": Sex.FEMALE,
    "f": Sex.FEMALE,
    "w": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_POSITION = {
    "terlentang": Position.LYING,
    "telentang": Position.LYING,
    "berbaring": Position.LYING,
    "l": Position.LYING,
    "lying": Position.LYING,
    "panjang badan": Position.LYING,
    "pb": Position.LYING,
    "berdiri": Position.STANDING,
    "h": Position.STANDING,
    "standing": Position.STANDING,
    "tinggi badan": Position.STANDING,
    "tb": Position.STANDING,
}
_AGE_TEXT = re.compile(r"(\d+)\s*tahun\D*?(\d+)\s*bulan(?:\D*?(\d+)\s*hari)?", re.I)
_KEY = re.compile(r"[^0-9a-z]+")


def with_aliases(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns, each also named by its header in the e-PPGBM upload layout that Tumbuh
    exports (``upload_layout``), so an exported file imports back as it is."""
    extra = load_layout().import_aliases()
    return tuple(dataclasses.replace(c, aliases=(*c.aliases, *extra.get(c.key, ()))) for c in columns)


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
    "n": "N",
    "naik": "N",
    "ya": "N",
    "y": "N",
    "bb naik": "N",
    "t": "T",
    "tidak naik": "T",
    "tdk naik": "T",
    "tidak": "T",
    "tdk": "T",
    "bb tidak naik": "T",
    "o": "O",
    "tidak ditimbang": "O",
    "tidak ditimbang bulan lalu": "O",
    "bulan lalu tidak ditimbang": "O",
    "b": "B",
    "baru": "B",
    "baru pertama": "B",
    "pertama": "B",
    "baru pertama kali": "B",
    "pertama kali": "B",
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


#: The columns of an e-PPGBM export and of Tumbuh's own template (the template's headers; e-PPGBM's
#: Indonesian headers and the upload layout's are aliases).
COLUMNS = with_aliases(
    (
        Column("no", "No", ("no urut",), in_template=False, used=False),
        Column("nik", "NIK", ("nik anak", "no nik"), _("The child's NIK (16 digits). Optional but best."), "", True),
        Column("name", "Nama", ("nama anak", "nama balita"), _("Required."), "Contoh Anak"),
        Column("sex", "JK", ("jenis kelamin", "l p", "sex"), _("Required: L or P."), "L"),
        Column(
            "birth_date",
            "Tgl Lahir",
            ("tanggal lahir", "tgl lahir anak", "birth date"),
            _("Required: dd/mm/yyyy."),
            "01/01/2000",
        ),
        Column("birth_order", "Anak Ke", ("anak ke ", "urutan lahir", "anak keberapa"), in_template=False),
        Column("birth_weight", "BB Lahir", ("berat lahir", "bb lahir kg"), _("Birth weight, kg."), ""),
        Column("birth_length", "TB Lahir", ("panjang lahir", "pb lahir", "tb lahir cm"), _("Birth length, cm."), ""),
        Column(
            "parent_name",
            "Nama Ortu",
            ("nama ibu", "nama orang tua", "nama ibu ortu"),
            _("Mother's or parent's name."),
            "",
        ),
        Column("parent_nik", "NIK Ortu", ("nik ibu", "nik orang tua", "nik ayah"), in_template=False, text_format=True),
        Column(
            "parent_phone",
            "No HP Ortu",
            ("no hp", "no telp", "telepon", "hp ortu", "no hp orang tua"),
            in_template=False,
        ),
        Column("prov", "Prov", ("provinsi",), in_template=False, used=False),
        Column("kab", "Kab/Kota", ("kabupaten", "kab kota", "kota"), in_template=False, used=False),
        Column("kecamatan", "Kec", ("kecamatan",), _("Required: the kecamatan's name."), "Contoh"),
        Column(
            "puskesmas",
            "Puskesmas",
            ("pukesmas", "nama puskesmas", "pkm"),
            _("The puskesmas's name (checked when given)."),
            "",
        ),
        Column(
            "desa",
            "Desa/Kel",
            ("desa", "kelurahan", "desa kelurahan", "desa kel"),
            _("Required: the desa's name."),
            "Contoh",
        ),
        Column("posyandu", "Posyandu", ("nama posyandu",), _("The posyandu's name in that desa."), "Contoh"),
        Column("rt", "RT", (), _("Optional."), ""),
        Column("rw", "RW", (), _("Optional."), ""),
        Column("address", "Alamat", ("alamat anak",), _("Optional."), ""),
        # e-PPGBM's current download keeps this header but some downloads leave its cell out.
        Column(
            "total",
            "Total Pengukuran",
            ("jumlah pengukuran",),
            in_template=False,
            used=False,
            omissible=lambda text: text == "" or text.isdigit(),
        ),
        Column("age_text", "Usia Saat Ukur", ("usia", "umur"), in_template=False),
        Column(
            "date",
            "Tanggal Pengukuran",
            ("tgl pengukuran", "tanggal ukur", "tgl ukur", "tanggal kunjungan"),
            _("Required: dd/mm/yyyy."),
            "01/01/2000",
        ),
        Column("month", "Bulan Pengukuran", ("bulan",), in_template=False, used=False),
        Column("weight", "Berat", ("bb", "berat badan", "berat kg", "bb kg"), _("Weight in kg, e.g. 9,5."), "1"),
        Column(
            "lenhei",
            "Tinggi",
            ("tb", "tinggi badan", "panjang badan", "tinggi cm", "tb cm", "pb tb"),
            _("Length or height in cm, e.g. 80,5."),
            "1",
        ),
        Column(
            "position",
            "Cara Ukur",
            ("posisi", "cara pengukuran"),
            _("Terlentang (lying) or Berdiri (standing)."),
            "Berdiri",
        ),
        Column("muac", "LiLA", ("lila cm", "lingkar lengan atas"), _("Optional, cm."), ""),
        Column("headc", "Lingkar Kepala", ("lk", "lingkar kepala cm", "lika"), in_template=False),
        Column("oedema", "Edema", ("oedema", "edema pitting", "pitting edema", "edema bilateral"), in_template=False),
        *(
            Column(f"asi_{m}", f"ASI Bulan {m}", (f"asi eksklusif bulan {m}", f"e{m}", f"asi {m}"), in_template=False)
            for m in range(7)
        ),
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
    )
)
REQUIRED = (("name",), ("birth_date",), ("sex",), ("desa",), ("date",), ("weight", "lenhei"))


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
    "asi_month_after_age": _(
        "The imported file recorded exclusive breastfeeding for a month the child had not reached at "
        "the visit: that month was ignored."
    ),
}


def warning_text(code: str) -> str | None:
    """The message for one of the importer's warning codes, or None for another code."""
    if code.startswith("service_unreadable:"):
        key = code.split(":", 1)[1]
        column = next((c.header for c in COLUMNS if c.key == key), key)
        return gettext(
            "The %(column)s cell in the imported file could not be read: the visit keeps the value it had "
            "(unknown for a new visit)."
        ) % {"column": column}
    text = WARNING_TEXT.get(code)
    return None if text is None else str(text)
