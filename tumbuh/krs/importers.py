"""Importing the at-risk family list (KRS): BKKBN's Verval KRS list as downloaded, older
family-data exports and Tumbuh's own template (CSV or XLSX); and the number of families per
desa from the Excel template Tumbuh generates (``FamilyCountImporter``).

- **Headers** as BKKBN writes them ("NIK Kepala Keluarga", "PUS 4 Terlalu Tua (Umur Istri 35
  sd 40 Tahun)", …) are aliases of the columns, matched exactly after ``header_key``; title rows
  above the header are skipped by the reader.
- **Year:** the Verval list has no year column: the user chooses the data year (the importer's
  option ``year``). A file's own "Tahun Pendataan" column still works; a row whose year differs
  from the chosen one is rejected; with neither, the file is refused before any row is read.
- **Every row is a KRS** by BKKBN's own determination: no row is refused for want of a risk
  factor. A factor or target member whose column the file does not have is stored as unknown
  (None), never as "no"; an empty cell in a column the file has is "no".
- **Warnings** (the row is kept): an invalid NIK of the wife (stored blank), "PUS 4 Terlalu"
  disagreeing with the four "terlalu", an accompaniment code Tumbuh does not know (kept as
  written). They are counted in ``batch.findings``.

Natural key: data year + NIK of the family head, so re-importing a file (or a corrected list
of rejected rows) updates the families already there and adds no duplicates; the same list
imported for another year is another year's list. A desa is named by its Kemendagri code, or
by its name ("DESA BALANTANG", "Balantang" and "Kel. Balantang" are one) in the kecamatan the
row names (anywhere in the kabupaten if Tumbuh knows no kecamatan of that name; then a name two
desa share is refused), looked up in the batch's kabupaten and accepted only inside the
importing user's area; an unknown name is refused with the closest desa proposed. Yes/no cells
accept what exports and hand-edited sheets hold: Ya/Tidak, Y/T, 1/0, v, √, x, a count.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tumbuh.imports.cells import clean_code, clean_text, fold, parse_count, parse_yes_no, wilayah_code
from tumbuh.imports.desa import DESA_CODE, ByDesaCode, desa_sheet
from tumbuh.imports.errors import ImportFileError, RowError
from tumbuh.imports.framework import Column, Importer, Option, Plan, Row, assign, register
from tumbuh.imports.xlsx import prefilled_workbook
from tumbuh.measurements.importers.columns import OUTSIDE_AREA
from tumbuh.measurements.matching import name_key, propose
from tumbuh.measurements.nik import clean_nik, nik_problem
from tumbuh.wilayah.models import Level, Wilayah

from .models import PENDAMPINGAN, RISK_FACTORS, SOURCE_PK, TARGET_MEMBERS, Family, FamilyCount

#: What family lists write besides the common yes/no words (``imports.cells.parse_yes_no``).
_KRS_WORDS = {"x": True, "berisiko": True, "tidak berisiko": False}

_NIK_REASONS = {
    "nik_missing": gettext_noop("NIK of the family head is empty"),
    "nik_length": gettext_noop("NIK %(nik)s does not have 16 digits"),
    "nik_placeholder": gettext_noop("NIK %(nik)s is a placeholder, not a real NIK"),
    "nik_birth_date": gettext_noop("NIK %(nik)s does not hold a valid birth date"),
}

YEAR_MIN, YEAR_MAX = 2015, 2100


def yes_no(value: str, header: str) -> bool:
    """A yes/no cell (``parse_yes_no``'s words, and x/berisiko); a count ("2" children under
    five) is yes when above zero; an empty cell or a dash is no."""
    text = fold(value)
    if text in _KRS_WORDS:
        return _KRS_WORDS[text]
    if text.replace(".", "", 1).isdigit():
        return float(text) > 0
    try:
        return bool(parse_yes_no(value))  # None (empty, "-"): no
    except ValueError:
        raise RowError(gettext_noop("%(column)s: %(value)s is not yes or no"), column=header, value=value) from None


_WORD = re.compile(r"\w+")
#: Words of ``PENDAMPINGAN`` (as tuples of words: "komunikasi informasi dan edukasi") → code;
#: what means "none received".
_PENDAMPINGAN_WORDS = {
    tuple(_WORD.findall(fold(word))): code for code, words, _label in PENDAMPINGAN for word in (code, *words)
}
_LONGEST_WORDS = max(len(words) for words in _PENDAMPINGAN_WORDS)
_PENDAMPINGAN_NONE = {"0", "-", "tidak ada", "tidak", "belum", "belum ada", "tidak menerima"}
_LIST_SEPARATORS = re.compile(r"[,;/|+&]+")
_AND = re.compile(r"\bdan\b", re.IGNORECASE)


def _codes_in(text: str) -> set[str] | None:
    """The codes ``text`` names, word by word ("1. Rujukan", "(2) Bansos", "1 3", "KIE dan
    rujukan"), or None if a word is not one of them."""
    words, codes, i = _WORD.findall(fold(text)), set(), 0
    while i < len(words):
        for j in range(min(len(words), i + _LONGEST_WORDS), i, -1):  # the longest name first
            code = _PENDAMPINGAN_WORDS.get(tuple(words[i:j]))
            if code is not None:
                codes.add(code)
                i = j
                break
        else:
            if words[i] != "dan":
                return None
            i += 1
    return codes


def pendampingan_codes(value: str) -> tuple[str, list[str]]:
    """``"1;3"``, ``"1 3"``, ``"Rujukan, KIE"``, ``"1. Rujukan; 3. KIE"`` → ``("1,3", [])``: the
    known codes in order, then anything else as written (the second value lists those). ``""``:
    none received."""
    known: set[str] = set()
    unknown: list[str] = []
    for part in _LIST_SEPARATORS.split(clean_text(value)):
        codes = _codes_in(part)
        pieces = [(part, codes)] if codes is not None else [(piece, _codes_in(piece)) for piece in _AND.split(part)]
        for piece, codes in pieces:
            piece = piece.strip(" .")
            if not piece or fold(piece) in _PENDAMPINGAN_NONE:
                continue
            if codes:
                known.update(codes)
            elif piece not in unknown:
                unknown.append(piece)
    return ",".join(sorted(known, key=lambda c: (len(c), c)) + unknown)[:60], unknown


_RISK_HEADERS = {
    "air_tidak_layak": (
        "Sumber Air Minum Tidak Layak",
        (
            "air minum tidak layak",
            "tidak punya sumber air minum utama yang layak",
            "air tidak layak",
            "sumber air minum",
            "Keluarga Tidak Mempunyai Sumber Air Minum Utama yang Layak",
            "Tidak Mempunyai Sumber Air Minum Utama yang Layak",
        ),
    ),
    "jamban_tidak_layak": (
        "Jamban Tidak Layak",
        (
            "tidak punya jamban yang layak",
            "jamban",
            "sanitasi tidak layak",
            "Keluarga Tidak Mempunyai Jamban yang Layak",
            "Tidak Mempunyai Jamban yang Layak",
        ),
    ),
    "rumah_tidak_layak": ("Rumah Tidak Layak Huni", ("rumah tidak layak", "rtlh", "rumah tidak layak huni rtlh")),
    "pendidikan_ibu_rendah": (
        "Pendidikan Ibu Rendah",
        ("pendidikan ibu dibawah sltp", "pendidikan ibu di bawah sltp", "pendidikan ibu"),
    ),
    "miskin": ("Keluarga Miskin", ("miskin", "keluarga miskin desil 1 4", "kemiskinan")),
    "terlalu_muda": (
        "Terlalu Muda",
        (
            "terlalu muda umur istri 20 tahun",
            "4t terlalu muda",
            "PUS 4 Terlalu Muda (Umur Istri < 20 Tahun)",
            "PUS 4 Terlalu Muda",
        ),
    ),
    "terlalu_tua": (
        "Terlalu Tua",
        (
            "terlalu tua umur istri 35 tahun",
            "4t terlalu tua",
            "Terlalu Tua (Umur Istri 35 sd 40 Tahun)",
            "PUS 4 Terlalu Tua (Umur Istri 35 sd 40 Tahun)",
            "PUS 4 Terlalu Tua",
        ),
    ),
    "terlalu_dekat": (
        "Terlalu Dekat",
        (
            "terlalu dekat jarak kelahiran 2 tahun",
            "4t terlalu dekat",
            "Terlalu Dekat (< 2 Tahun)",
            "PUS 4 Terlalu Dekat (< 2 Tahun)",
            "PUS 4 Terlalu Dekat",
        ),
    ),
    "terlalu_banyak": (
        "Terlalu Banyak",
        (
            "terlalu banyak anak 3",
            "4t terlalu banyak",
            "Terlalu Banyak (≥ 3 Anak)",
            "PUS 4 Terlalu Banyak (≥ 3 Anak)",
            "PUS 4 Terlalu Banyak",
        ),
    ),
}
_TARGET_MEMBER_HEADERS = {
    "ada_baduta": ("Baduta", ("jumlah baduta", "anak 0 23 bulan", "Punya Anak 0-23 Bulan", "Punya Baduta")),
    "ada_anak_24_59": ("Anak 24-59 Bulan", ("Punya Anak 24-59 Bulan",)),
    "ada_balita": ("Balita", ("jumlah balita", "anak 0 59 bulan", "Punya Balita", "Punya Anak 0-59 Bulan")),
    "ada_pus": ("PUS", ("pasangan usia subur",)),
    "ada_ibu_hamil": ("Ibu Hamil", ("pus hamil", "hamil", "jumlah ibu hamil")),
}
_EMPAT_TERLALU = ("terlalu_muda", "terlalu_tua", "terlalu_dekat", "terlalu_banyak")
#: The yes/no columns besides the risk factors and target members.
_OTHER_FLAGS = ("empat_terlalu", "bukan_peserta_kb_modern")
_FLAGS = (*(f for f, _label in TARGET_MEMBERS), *(f for f, _label in RISK_FACTORS), *_OTHER_FLAGS)

#: Row warnings (the row is kept): msgid → the key it is counted under in ``batch.findings``.
WARN_WIFE_NIK = gettext_noop("NIK of the wife %(nik)s is not a valid NIK: stored blank")
WARN_EMPAT_TERLALU_NO = gettext_noop("PUS 4 Terlalu says no, but %(factors)s is marked: kept as the list says")
WARN_EMPAT_TERLALU_YES = gettext_noop(
    "PUS 4 Terlalu says yes, but none of the four terlalu is marked: kept as the list says"
)
WARN_PENDAMPINGAN = gettext_noop(
    "Jenis Pendampingan %(value)s is not a known code (1 rujukan, 2 bansos, 3 KIE): kept as written"
)
_WARNING_KEYS = {
    WARN_WIFE_NIK: "invalid_nik_istri",
    WARN_EMPAT_TERLALU_NO: "empat_terlalu_disagrees",
    WARN_EMPAT_TERLALU_YES: "empat_terlalu_disagrees",
    WARN_PENDAMPINGAN: "unknown_pendampingan",
}
#: Rows listed per warning in the findings (the count is complete).
WARNING_EXAMPLES = 50


@register
class KrsImporter(ByDesaCode, Importer):
    kind = "krs"
    title = _("at-risk families (KRS)")
    model = Family
    #: A desa outside the user's area and a family registered outside it: one message for
    #: both, naming neither, as the e-PPGBM importer says it (no NIK confirmed elsewhere).
    outside_area = OUTSIDE_AREA
    columns = (
        Column(
            "year",
            "Tahun Pendataan",
            ("tahun", "tahun data", "periode"),
            _("Optional: the data year chosen on upload is used. If given, it must be that year."),
            "2025",
        ),
        Column(
            "nik",
            "NIK Kepala Keluarga",
            ("nik kk", "nik kepala", "nik kepala keluarga kk", "nik"),
            _("Required. 16 digits; with the year it identifies the family on re-import."),
            "0000000000000000",
            True,
        ),
        Column(
            "kk_number",
            "No KK",
            ("nomor kk", "no kk", "nomor kartu keluarga", "no kartu keluarga", "No. Kartu Keluarga"),
            _("Optional."),
            "",
            True,
        ),
        Column(
            "head_name",
            "Nama Kepala Keluarga",
            ("nama kk", "nama kepala", "kepala keluarga", "nama"),
            _("Required."),
            "Contoh Nama",
        ),
        Column(
            "wife_nik",
            "NIK Istri",
            ("nik isteri", "nik pasangan"),
            _("Optional. 16 digits; an invalid NIK is stored blank with a warning."),
            "",
            True,
        ),
        Column("wife_name", "Nama Istri", ("nama isteri", "nama pasangan"), _("Optional."), ""),
        Column("kecamatan", "Kecamatan", ("nama kecamatan", "kec"), _("Used with the desa name."), "Contoh"),
        Column(
            "desa_code",
            "Kode Desa",
            ("kode desa kelurahan", "kode kelurahan", "kode wilayah"),
            _("Kemendagri desa code. Give the code or the name of the desa."),
            "00.00.00.2001",
            True,
        ),
        Column(
            "desa_name",
            "Desa/Kelurahan",
            ("desa", "kelurahan", "nama desa", "desa kelurahan"),
            _("Used when the desa code is empty."),
            "Desa Contoh",
        ),
        Column("rw", "RW", (), _("Optional."), "001", True),
        Column("rt", "RT", (), _("Optional."), "002", True),
        Column("address", "Alamat", ("alamat lengkap", "dusun"), _("Optional."), "Dusun Contoh"),
        *(
            Column(field, header, aliases, _("Ya/Tidak or a count."), "Ya")
            for field, (header, aliases) in _TARGET_MEMBER_HEADERS.items()
        ),
        *(
            Column(
                field, header, aliases, _("Ya/Tidak (1/0). A column left out of the file is stored as unknown."), "Ya"
            )
            for field, (header, aliases) in _RISK_HEADERS.items()
        ),
        Column(
            "empat_terlalu",
            "PUS 4 Terlalu",
            ("4 terlalu", "pus 4t", "4t"),
            _("Optional. Ya/Tidak: any of the four terlalu, as BKKBN lists it; checked against the four."),
            "",
        ),
        Column(
            "bukan_peserta_kb_modern",
            "Bukan Peserta KB Modern",
            ("bukan peserta kb", "tidak ber kb modern"),
            _("Optional. Ya/Tidak."),
            "",
        ),
        Column(
            "jenis_pendampingan",
            "Jenis Pendampingan yang Diterima",
            ("jenis pendampingan", "pendampingan yang diterima"),
            _("Optional. Codes 1 rujukan, 2 bansos, 3 KIE (several: 1,3), or the words."),
            "",
        ),
    )
    required = (("nik",), ("head_name",), ("desa_code", "desa_name"))
    options = (
        Option(
            "year",
            _("Data year"),
            int,
            required=False,
            minimum=YEAR_MIN,
            maximum=YEAR_MAX,
            help=_("The year of the list (BKKBN's Verval KRS list has no year column)."),
        ),
    )

    @classmethod
    def list_url(cls) -> str:
        return reverse("krs:list")

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        regions = policy.visible(
            user, Wilayah.objects.filter(kabupaten_code=kabupaten.code, level__in=[Level.KECAMATAN, Level.DESA])
        )
        kecamatan = {w.code: w.name for w in regions if w.level == Level.KECAMATAN}
        return [
            (
                "Desa",
                ["Kode Desa", "Nama Desa", "Kecamatan"],
                [[w.code, w.name, kecamatan.get(w.kecamatan_code, "")] for w in regions if w.level == Level.DESA],
            )
        ]

    def prepare(self):
        found = self.header_spec().match(self.batch.headers)
        if "year" not in found and not self.option.get("year"):
            raise ImportFileError(
                gettext_noop(
                    "Choose the data year: on the upload form, or --year on the command line "
                    "(this file has no year column, Tahun Pendataan)."
                )
            )
        #: The file's own header of each column it has (named in reasons and warnings).
        self.file_header = {key: self.batch.headers[i] or self.header_name(key) for key, i in found.items()}
        #: Yes/no fields the file does not carry, for the batch page (the age groups of the
        #: children are derived from one another where they can be, see ``_flags``).
        self.missing_flags = [
            f
            for f in _FLAGS
            if f not in found
            and not (
                f in ("ada_balita", "ada_baduta", "ada_anak_24_59")
                and {"ada_balita", "ada_baduta", "ada_anak_24_59"} & set(found)
            )
        ]
        district = list(
            Wilayah.objects.filter(kabupaten_code=self.kabupaten.code, level__in=[Level.KECAMATAN, Level.DESA])
        )
        self.load_desa()  # the desa in the user's area, by code
        self.kecamatan_names = {w.code: w.name for w in district if w.level == Level.KECAMATAN}
        self.kecamatan_by_key = {name_key("kecamatan", name): code for code, name in self.kecamatan_names.items()}
        self.desa_by_key: dict[str, list[Wilayah]] = defaultdict(list)
        for w in district:
            if w.level == Level.DESA:
                self.desa_by_key[name_key("desa", w.name)].append(w)
        self._desa_cache: dict[tuple[str, str], Wilayah | RowError] = {}
        self.existing = {
            (family.year, family.nik): family
            for family in self.in_scope(
                Family.objects.filter(desa__kabupaten_code=self.kabupaten.code).select_related("tpk")
            )
        }
        self._registered: dict[int, set[str]] = {}  # year → every NIK on that year's list, any area
        self.warnings: dict[str, dict] = {}
        self.warned_rows: set[int] = set()
        self.years: set[int] = set()  # of the families added or changed (findings["years"])

    def _registered_anywhere(self, year: int, nik: str) -> bool:
        """Is this family on the year's list already, possibly outside the user's area? (One
        query per year of the file, not one per row.)"""
        if year not in self._registered:
            self._registered[year] = set(Family.objects.filter(year=year).values_list("nik", flat=True))
        return nik in self._registered[year]

    # ---------------------------------------------------------------- cells

    def _desa(self, row: Row) -> Wilayah:
        if wilayah_code(row["desa_code"]):
            return self.desa_of(row["desa_code"])
        if not row["desa_name"]:
            raise RowError(gettext_noop("Desa is empty"))
        cache_key = (row["desa_name"], row["kecamatan"])
        if cache_key not in self._desa_cache:
            try:
                self._desa_cache[cache_key] = self._desa_by_name(row["desa_name"], row["kecamatan"])
            except RowError as error:
                self._desa_cache[cache_key] = error
        found = self._desa_cache[cache_key]
        if isinstance(found, RowError):
            raise found
        return found

    def _desa_by_name(self, name: str, kecamatan_name: str) -> Wilayah:
        key = name_key("desa", name)
        kecamatan = self.kecamatan_by_key.get(name_key("kecamatan", kecamatan_name)) if kecamatan_name else None
        matches = self.desa_by_key.get(key, [])
        if kecamatan:  # the kecamatan the row names, where Tumbuh knows it: the desa is there or nowhere
            elsewhere, matches = matches, [w for w in matches if w.kecamatan_code == kecamatan]
            if elsewhere and not matches:
                raise RowError(
                    gettext_noop("Desa %(name)s is in Kecamatan %(other)s, not in Kecamatan %(kecamatan)s"),
                    name=elsewhere[0].name,
                    kecamatan=kecamatan_name,
                    other=", ".join(sorted({self.kecamatan_names[w.kecamatan_code] for w in elsewhere})),
                )
        if not matches:
            candidates = {
                name_key("desa", w.name): w
                for w in self.desa.values()
                if kecamatan is None or w.kecamatan_code == kecamatan
            }
            proposal = propose(key, candidates)
            if proposal is not None:
                raise RowError(
                    gettext_noop("No desa named %(name)s in your area; did you mean %(proposal)s?"),
                    name=name,
                    proposal=proposal.name,
                )
            raise RowError(gettext_noop("No desa named %(name)s in your area"), name=name)
        if len(matches) > 1:
            raise RowError(
                gettext_noop("Desa name %(name)s matches several desa in your area; give the desa code"), name=name
            )
        if matches[0].code not in self.desa:
            raise RowError(self.outside_area)
        return matches[0]

    def _year(self, row: Row) -> int:
        chosen = self.option.get("year")
        text = clean_code(row["year"])
        if not text:
            if chosen:
                return chosen
            raise RowError(gettext_noop("Year is empty"))
        if not (text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX):
            raise RowError(gettext_noop("Year %(value)s is not a year"), value=row["year"])
        if chosen and int(text) != chosen:
            raise RowError(
                gettext_noop("Tahun Pendataan %(value)s is not the data year chosen for this file (%(year)s)"),
                value=row["year"],
                year=chosen,
            )
        return int(text)

    def _flags(self, row: Row, warn) -> dict[str, bool | None]:
        flags = {f: yes_no(row[f], self.file_header[f]) if f in self.file_header else None for f in _FLAGS}
        young, older, under_five = flags["ada_baduta"], flags["ada_anak_24_59"], flags["ada_balita"]
        if "ada_balita" not in self.file_header:  # 0–59 months: 0–23 or 24–59
            flags["ada_balita"] = (
                True if True in (young, older) else (False if young is False and older is False else None)
            )
        elif "ada_anak_24_59" not in self.file_header and (under_five is False or young is False):
            flags["ada_anak_24_59"] = under_five  # none under five: none of 24–59; one, but none under two: 24–59
        if "ada_baduta" not in self.file_header and under_five is False:
            flags["ada_baduta"] = False
        four = [f for f in _EMPAT_TERLALU if flags[f]]
        if flags["empat_terlalu"] is False and four:
            warn(WARN_EMPAT_TERLALU_NO, factors=", ".join(self.file_header[f] for f in four))
        elif flags["empat_terlalu"] is True and all(flags[f] is False for f in _EMPAT_TERLALU):
            warn(WARN_EMPAT_TERLALU_YES)
        return flags

    # ---------------------------------------------------------------- a row

    def validate(self, row: Row) -> Plan:
        year = self._year(row)
        nik = clean_nik(row["nik"])
        problem = nik_problem(nik)
        if problem:
            raise RowError(_NIK_REASONS[problem], nik=row["nik"])
        if not row["head_name"]:
            raise RowError(gettext_noop("Name of the family head is empty"))
        desa = self._desa(row)
        kk_number = clean_nik(row["kk_number"])
        if kk_number and len(kk_number) != 16:
            raise RowError(gettext_noop("KK number %(value)s does not have 16 digits"), value=row["kk_number"])
        warnings: list[tuple[str, dict]] = []

        def warn(message: str, **params) -> None:
            warnings.append((message, params))

        flags = self._flags(row, warn)
        wife_nik = clean_nik(row["wife_nik"])
        if wife_nik and nik_problem(wife_nik):
            warn(WARN_WIFE_NIK, nik=row["wife_nik"])
            wife_nik = ""
        texts = {
            "head_name": row["head_name"],
            "rt": clean_code(row["rt"])[:4],
            "rw": clean_code(row["rw"])[:4],
            "address": row["address"][:200],
            "wife_nik": wife_nik,
            "wife_name": row["wife_name"][:150],
        }
        if "jenis_pendampingan" in self.file_header:
            texts["jenis_pendampingan"], unknown = pendampingan_codes(row["jenis_pendampingan"])
            if unknown:
                warn(WARN_PENDAMPINGAN, value=", ".join(unknown))
        self.check_duplicate(row, ((year, nik), "nik"))
        existing = self.existing.get((year, nik))
        if existing is None and self._registered_anywhere(year, nik):
            raise RowError(self.outside_area)  # the words of a desa outside the area: no NIK confirmed
        obj = existing or Family(year=year, nik=nik, import_batch=self.batch)
        # What the file does not carry stays as stored (unknown for a new family): a list with
        # fewer columns does not erase what an earlier list of the same year said.
        values = {
            "desa_id": desa.code,
            **{f: v for f, v in texts.items() if f in self.file_header},
            **{f: v for f, v in flags.items() if f in self.file_header or v is not None},
        }
        if kk_number:
            values["kk_number"] = kk_number
        changed = assign(obj, values) or existing is None
        if changed and existing is not None and existing.tpk_id and existing.tpk.desa_id != desa.code:
            obj.tpk = None  # moved to another desa: its old TPK no longer accompanies it
        for message, params in warnings:  # only for a row that is taken in
            self._warn(row.number, message, params)
        if changed:
            self.years.add(year)
        return Plan(row, obj, changed=changed)

    @classmethod
    def finding_lines(cls, batch) -> list[str]:
        """For the command line: what the file did not carry, and the rows kept with a warning
        (the first 20)."""
        findings = batch.findings or {}
        lines = []
        if findings.get("unknown_fields"):
            names = ", ".join(str(Family._meta.get_field(f).verbose_name) for f in findings["unknown_fields"])
            lines.append(gettext("Not in this file, stored as unknown (never as no):") + " " + names)
        warnings = batch.warnings()
        if warnings:
            lines.append(gettext("Rows kept with a warning") + f": {findings.get('warned_rows', len(warnings))}")
            lines += [
                gettext("row %(row)s: %(warning)s") % {"row": number, "warning": text} for number, text in warnings[:20]
            ]
        return lines

    def _warn(self, number: int, message: str, params: dict) -> None:
        entry = self.warnings.setdefault(message, {"reason": message, "count": 0, "rows": []})
        entry["count"] += 1
        if len(entry["rows"]) < WARNING_EXAMPLES:
            entry["rows"].append([number, params])
        self.warned_rows.add(number)

    def finish(self) -> None:
        counts = dict.fromkeys(_WARNING_KEYS.values(), 0)
        for message, entry in self.warnings.items():
            counts[_WARNING_KEYS[message]] += entry["count"]
        self.batch.findings = {
            **(self.batch.findings or {}),
            **counts,
            "warnings": list(self.warnings.values()),
            "warned_rows": len(self.warned_rows),
            #: Fields stored as unknown because the file has no column for them.
            "unknown_fields": self.missing_flags,
            "years": sorted(self.years),  # the data years of the families added or changed
        }


# ---------------------------------------------------------------- number of families per desa

KIND_FAMILY_COUNT = "jumlah-keluarga"


def _count(row: Row, key: str, header: str) -> int | None:
    try:
        number = parse_count(row[key])
    except ValueError:
        raise RowError(
            gettext_noop("%(column)s is not a whole number: %(value)s"), column=header, value=row[key]
        ) from None
    if number is not None and number < 0:
        raise RowError(gettext_noop("%(column)s cannot be negative: %(value)s"), column=header, value=row[key])
    return number


@register
class FamilyCountImporter(ByDesaCode, Importer):
    """Natural key: (desa, year); re-importing the template updates in place and adds nothing.
    The desa is named by its Kemendagri code, looked up only in the importing user's scope."""

    kind = KIND_FAMILY_COUNT
    title = _("number of families per desa")
    model = FamilyCount
    columns = (
        DESA_CODE,
        Column("kecamatan", "Kecamatan", ("nama kecamatan",), _("For reading only."), "", used=False),
        Column("desa_name", "Desa", ("desa/kelurahan", "nama desa"), _("For reading only."), "", used=False),
        Column("year", "Tahun", ("tahun data", "tahun pendataan"), _("Required. The year of the family data."), "2025"),
        Column("families", "Jumlah Keluarga", ("jumlah kk", "keluarga"), _("Required. Families in the desa."), "1.234"),
        Column(
            "families_with_under_five",
            "Keluarga dengan Balita",
            ("keluarga punya balita", "jumlah keluarga dengan balita"),
            _("Optional. Families with a child under five."),
            "310",
        ),
        Column("source", "Sumber", ("sumber data",), _("Optional; empty: Pendataan Keluarga BKKBN."), SOURCE_PK),
    )
    required = (("desa_code",), ("year",), ("families",))

    @classmethod
    def pages(cls, batch=None) -> str | None:
        return reverse("krs:family_counts") if batch is None else None  # the batch: the imports app's page

    @classmethod
    def list_url(cls) -> str:
        return reverse("krs:family_counts")

    @classmethod
    def references(cls, user, kabupaten):
        return [desa_sheet(user, kabupaten)]

    def prepare(self):
        self.existing = {
            (count.desa_id, count.year): count
            for count in FamilyCount.objects.filter(desa_id__in=list(self.load_desa()))
        }

    def validate(self, row: Row) -> Plan:
        code = self.desa_of(row["desa_code"]).code
        text = clean_code(row["year"])
        if not (text.isdigit() and 2000 <= int(text) <= 2100):
            raise RowError(gettext_noop("Year is missing or not a year: %(value)s"), value=row["year"])
        year = int(text)
        families = _count(row, "families", "Jumlah Keluarga")
        if families is None:
            raise RowError(gettext_noop("Jumlah Keluarga is empty"))
        under_five = _count(row, "families_with_under_five", "Keluarga dengan Balita")
        if under_five is not None and under_five > families:
            # (The parameters keep the msgid's names: rejected rows store them and are read again.)
            raise RowError(
                gettext_noop("Keluarga dengan Balita (%(balita)s) cannot exceed Jumlah Keluarga (%(jumlah)s)"),
                balita=under_five,
                jumlah=families,
            )
        self.check_duplicate(row, ((code, year), "desa_code"))
        existing = self.existing.get((code, year))
        obj = existing or FamilyCount(desa_id=code, year=year)
        changed = (
            assign(
                obj,
                {
                    "families": families,
                    "families_with_under_five": under_five,
                    "source": row["source"][:120] or SOURCE_PK,
                },
            )
            or existing is None
        )
        if changed:
            obj.import_batch = self.batch
        return Plan(row=row, obj=obj, changed=changed)


def family_count_template(year: int, desa: list[Wilayah], kecamatan: dict[str, str], stored: dict[str, FamilyCount]):
    """The template for one year: one row per desa of the district (in the user's area),
    prefilled with what is stored, so the district fills the gaps and sends it back."""
    note = gettext(
        "Number of families per desa, %(year)d, from BKKBN's family data (Pendataan Keluarga). "
        "Fill Jumlah Keluarga (and Keluarga dengan Balita if known); keep the headers and codes."
    ) % {"year": year}
    rows = []
    for w in desa:
        count = stored.get(w.code)
        rows.append(
            [
                w.code,
                kecamatan.get(w.kecamatan_code, ""),
                w.name,
                year,
                count.families if count else None,
                count.families_with_under_five if count else None,
                count.source if count else SOURCE_PK,
            ]
        )
    return prefilled_workbook(
        note,
        [c.header for c in FamilyCountImporter.columns],
        rows,
        text_columns=(1,),
        number_formats={5: "#,##0", 6: "#,##0"},
        widths=(16, 18, 24, 8, 16, 20, 26),
    )
