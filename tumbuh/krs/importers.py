"""Importing the at-risk family list (KRS) from BKKBN's family-data export (CSV or XLSX), and
the number of families per desa from the Excel template Tumbuh generates (``JumlahKeluargaImporter``).

Natural key: data year + NIK of the family head, so re-importing a file (or a corrected list
of rejected rows) updates the families already there and adds no duplicates. A desa is named
by its Kemendagri code, or by its name (with the kecamatan's name when two desa share one);
both are looked up only inside the importing user's area and the batch's kabupaten. Yes/no
cells accept what exports and hand-edited sheets hold: Ya/Tidak, Y/T, 1/0, v, √, x, a count.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tumbuh.imports.cells import clean_code, fold, parse_count, wilayah_code
from tumbuh.imports.desa import DESA_CODE, ByDesaCode, desa_sheet
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Plan, Row, assign, register
from tumbuh.imports.xlsx import prefilled_workbook
from tumbuh.measurements.nik import clean_nik, nik_problem
from tumbuh.wilayah.models import Level, Wilayah

from .models import RISK_FACTORS, SASARAN, SUMBER_PK, JumlahKeluarga, Keluarga

_YES = {"ya", "y", "yes", "v", "√", "✓", "x", "ada", "true", "berisiko", "iya"}
_NO = {"tidak", "t", "no", "n", "-", "false", "tidak ada", "tdk", "tidak berisiko"}

_NIK_REASONS = {
    "nik_missing": gettext_noop("NIK of the family head is empty"),
    "nik_length": gettext_noop("NIK %(nik)s does not have 16 digits"),
    "nik_placeholder": gettext_noop("NIK %(nik)s is a placeholder, not a real NIK"),
    "nik_birth_date": gettext_noop("NIK %(nik)s does not hold a valid birth date"),
}

_DESA_PREFIXES = ("desa ", "kelurahan ", "kel. ", "kel ", "ds. ", "ds ")
_KECAMATAN_PREFIXES = ("kecamatan ", "kec. ", "kec ")


def _bare(name: str, prefixes: tuple[str, ...]) -> str:
    name = fold(name)
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix):].strip()
    return name


def yes_no(value: str, header: str) -> bool:
    """A yes/no cell; a count ("2" children under five) is yes when above zero."""
    text = fold(value)
    if text in ("", "0", "0.0"):
        return False
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text.replace(".", "", 1).isdigit():
        return float(text) > 0
    raise RowError(gettext_noop("%(column)s: %(value)s is not yes or no"), column=header, value=value)


_RISK_HEADERS = {
    "air_tidak_layak": ("Sumber Air Minum Tidak Layak", ("air minum tidak layak", "tidak punya sumber air minum utama yang layak",
                                                         "air tidak layak", "sumber air minum")),
    "jamban_tidak_layak": ("Jamban Tidak Layak", ("tidak punya jamban yang layak", "jamban", "sanitasi tidak layak")),
    "rumah_tidak_layak": ("Rumah Tidak Layak Huni", ("rumah tidak layak", "rtlh", "rumah tidak layak huni rtlh")),
    "pendidikan_ibu_rendah": ("Pendidikan Ibu Rendah", ("pendidikan ibu dibawah sltp", "pendidikan ibu di bawah sltp",
                                                        "pendidikan ibu")),
    "miskin": ("Keluarga Miskin", ("miskin", "keluarga miskin desil 1 4", "kemiskinan")),
    "terlalu_muda": ("Terlalu Muda", ("terlalu muda umur istri 20 tahun", "4t terlalu muda")),
    "terlalu_tua": ("Terlalu Tua", ("terlalu tua umur istri 35 tahun", "4t terlalu tua")),
    "terlalu_dekat": ("Terlalu Dekat", ("terlalu dekat jarak kelahiran 2 tahun", "4t terlalu dekat")),
    "terlalu_banyak": ("Terlalu Banyak", ("terlalu banyak anak 3", "4t terlalu banyak")),
}
_SASARAN_HEADERS = {
    "ada_baduta": ("Baduta", ("jumlah baduta", "anak 0 23 bulan")),
    "ada_balita": ("Balita", ("jumlah balita", "anak 0 59 bulan")),
    "ada_pus": ("PUS", ("pasangan usia subur",)),
    "ada_ibu_hamil": ("Ibu Hamil", ("pus hamil", "hamil", "jumlah ibu hamil")),
}


@register
class KrsImporter(ByDesaCode, Importer):
    kind = "krs"
    title = _("at-risk families (KRS)")
    model = Keluarga
    columns = (
        Column("tahun", "Tahun Pendataan", ("tahun", "tahun data", "periode"), _("Required. The year of the family data."), "2025"),
        Column("nik", "NIK Kepala Keluarga", ("nik kk", "nik kepala", "nik kepala keluarga kk", "nik"),
               _("Required. 16 digits; with the year it identifies the family on re-import."), "0000000000000000", True),
        Column("no_kk", "No KK", ("nomor kk", "no kk", "nomor kartu keluarga", "no kartu keluarga"), _("Optional."), "", True),
        Column("nama", "Nama Kepala Keluarga", ("nama kk", "nama kepala", "kepala keluarga", "nama"), _("Required."), "Contoh Nama"),
        Column("kecamatan", "Kecamatan", ("nama kecamatan", "kec"), _("Used with the desa name."), "Contoh"),
        Column("desa_code", "Kode Desa", ("kode desa kelurahan", "kode kelurahan", "kode wilayah"),
               _("Kemendagri desa code. Give the code or the name of the desa."), "00.00.00.2001", True),
        Column("desa_name", "Desa/Kelurahan", ("desa", "kelurahan", "nama desa", "desa kelurahan"),
               _("Used when the desa code is empty."), "Desa Contoh"),
        Column("rw", "RW", (), _("Optional."), "001", True),
        Column("rt", "RT", (), _("Optional."), "002", True),
        Column("alamat", "Alamat", ("alamat lengkap", "dusun"), _("Optional."), "Dusun Contoh"),
        *(Column(field, header, aliases, _("Ya/Tidak or a count."), "Ya") for field, (header, aliases) in _SASARAN_HEADERS.items()),
        *(Column(field, header, aliases, _("Ya/Tidak."), "Ya") for field, (header, aliases) in _RISK_HEADERS.items()),
    )
    required = (("tahun",), ("nik",), ("nama",), ("desa_code", "desa_name"))

    @classmethod
    def list_url(cls) -> str:
        return reverse("krs:list")

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        regions = policy.visible(user, Wilayah.objects.filter(kabupaten_code=kabupaten.code, level__in=[Level.KECAMATAN, Level.DESA]))
        kecamatan = {w.code: w.name for w in regions if w.level == Level.KECAMATAN}
        return [("Desa", ["Kode Desa", "Nama Desa", "Kecamatan"],
                 [[w.code, w.name, kecamatan.get(w.kecamatan_code, "")] for w in regions if w.level == Level.DESA])]

    def prepare(self):
        regions = list(self.in_scope(Wilayah.objects.filter(kabupaten_code=self.kabupaten.code, level__in=[Level.KECAMATAN, Level.DESA])))
        self.desa = {w.code: w for w in regions if w.level == Level.DESA}
        kecamatan_names = {w.code: _bare(w.name, _KECAMATAN_PREFIXES) for w in regions if w.level == Level.KECAMATAN}
        self.desa_by_name = defaultdict(list)
        for w in self.desa.values():
            self.desa_by_name[_bare(w.name, _DESA_PREFIXES)].append((kecamatan_names.get(w.kecamatan_code, ""), w.code))
        self.existing = {(k.tahun, k.nik): k for k in self.in_scope(
            Keluarga.objects.filter(desa__kabupaten_code=self.kabupaten.code).select_related("tpk"))}
        self._registered: dict[int, set[str]] = {}  # year → every NIK on that year's list, any area

    def _registered_anywhere(self, tahun: int, nik: str) -> bool:
        """Is this family on the year's list already, possibly outside the user's area? (One
        query per year of the file, not one per row.)"""
        if tahun not in self._registered:
            self._registered[tahun] = set(Keluarga.objects.filter(tahun=tahun).values_list("nik", flat=True))
        return nik in self._registered[tahun]

    def _desa(self, row: Row) -> Wilayah:
        if wilayah_code(row["desa_code"]):
            return self.desa_of(row["desa_code"])
        if not row["desa_name"]:
            raise RowError(gettext_noop("Desa is empty"))
        matches = self.desa_by_name.get(_bare(row["desa_name"], _DESA_PREFIXES), [])
        if row["kecamatan"] and len(matches) > 1:
            kecamatan = _bare(row["kecamatan"], _KECAMATAN_PREFIXES)
            matches = [m for m in matches if m[0] == kecamatan]
        if not matches:
            raise RowError(gettext_noop("No desa named %(name)s in your area"), name=row["desa_name"])
        if len(matches) > 1:
            raise RowError(gettext_noop("Desa name %(name)s matches several desa in your area; give the desa code"), name=row["desa_name"])
        return self.desa[matches[0][1]]

    def _year(self, row: Row) -> int:
        text = clean_code(row["tahun"])
        if not text:
            raise RowError(gettext_noop("Year is empty"))
        if not (text.isdigit() and 2015 <= int(text) <= 2100):
            raise RowError(gettext_noop("Year %(value)s is not a year"), value=row["tahun"])
        return int(text)

    def validate(self, row: Row) -> Plan:
        tahun = self._year(row)
        nik = clean_nik(row["nik"])
        problem = nik_problem(nik)
        if problem:
            raise RowError(_NIK_REASONS[problem], nik=row["nik"])
        if not row["nama"]:
            raise RowError(gettext_noop("Name of the family head is empty"))
        desa = self._desa(row)
        no_kk = clean_nik(row["no_kk"])
        if no_kk and len(no_kk) != 16:
            raise RowError(gettext_noop("KK number %(value)s does not have 16 digits"), value=row["no_kk"])
        flags = {}
        for field, _label in (*SASARAN, *RISK_FACTORS):
            flags[field] = yes_no(row[field], self.header_name(field))
        if not any(flags[f] for f, _label in RISK_FACTORS):
            raise RowError(gettext_noop("No risk factor is marked: not an at-risk family"))
        self.check_duplicate(row, ((tahun, nik), "nik"))
        existing = self.existing.get((tahun, nik))
        if existing is None and self._registered_anywhere(tahun, nik):
            raise RowError(gettext_noop("This family is already registered outside your area"))
        obj = existing or Keluarga(tahun=tahun, nik=nik, import_batch=self.batch)
        values = {"desa_id": desa.code, "nama_kepala": row["nama"], "rt": clean_code(row["rt"])[:4], "rw": clean_code(row["rw"])[:4],
                  "alamat": row["alamat"][:200], **flags}
        if no_kk:
            values["no_kk"] = no_kk
        changed = assign(obj, values) or existing is None
        if changed and existing is not None and existing.tpk_id and existing.tpk.desa_id != desa.code:
            obj.tpk = None  # moved to another desa: its old TPK no longer accompanies it
        return Plan(row, obj, changed=changed)


# ---------------------------------------------------------------- number of families per desa

KIND_JUMLAH = "jumlah-keluarga"


def _count(row: Row, key: str, header: str) -> int | None:
    try:
        number = parse_count(row[key])
    except ValueError:
        raise RowError(gettext_noop("%(column)s is not a whole number: %(value)s"), column=header, value=row[key]) from None
    if number is not None and number < 0:
        raise RowError(gettext_noop("%(column)s cannot be negative: %(value)s"), column=header, value=row[key])
    return number


@register
class JumlahKeluargaImporter(ByDesaCode, Importer):
    """Natural key: (desa, year); re-importing the template updates in place and adds nothing.
    The desa is named by its Kemendagri code, looked up only in the importing user's scope."""

    kind = KIND_JUMLAH
    title = _("number of families per desa")
    model = JumlahKeluarga
    columns = (
        DESA_CODE,
        Column("kecamatan", "Kecamatan", ("nama kecamatan",), _("For reading only."), "", used=False),
        Column("desa_name", "Desa", ("desa/kelurahan", "nama desa"), _("For reading only."), "", used=False),
        Column("tahun", "Tahun", ("tahun data", "tahun pendataan"), _("Required. The year of the family data."), "2025"),
        Column("jumlah", "Jumlah Keluarga", ("jumlah kk", "keluarga"), _("Required. Families in the desa."), "1.234"),
        Column("jumlah_balita", "Keluarga dengan Balita", ("keluarga punya balita", "jumlah keluarga dengan balita"),
               _("Optional. Families with a child under five."), "310"),
        Column("sumber", "Sumber", ("sumber data",), _("Optional; empty: Pendataan Keluarga BKKBN."), SUMBER_PK),
    )
    required = (("desa_code",), ("tahun",), ("jumlah",))

    @classmethod
    def pages(cls, batch=None) -> str | None:
        return reverse("krs:jumlah") if batch is None else None  # the batch: the imports app's page

    @classmethod
    def list_url(cls) -> str:
        return reverse("krs:jumlah")

    @classmethod
    def references(cls, user, kabupaten):
        return [desa_sheet(user, kabupaten)]

    def prepare(self):
        self.existing = {(j.desa_id, j.tahun): j for j in JumlahKeluarga.objects.filter(desa_id__in=list(self.load_desa()))}

    def validate(self, row: Row) -> Plan:
        code = self.desa_of(row["desa_code"]).code
        text = clean_code(row["tahun"])
        if not (text.isdigit() and 2000 <= int(text) <= 2100):
            raise RowError(gettext_noop("Year is missing or not a year: %(value)s"), value=row["tahun"])
        tahun = int(text)
        jumlah = _count(row, "jumlah", "Jumlah Keluarga")
        if jumlah is None:
            raise RowError(gettext_noop("Jumlah Keluarga is empty"))
        balita = _count(row, "jumlah_balita", "Keluarga dengan Balita")
        if balita is not None and balita > jumlah:
            raise RowError(gettext_noop("Keluarga dengan Balita (%(balita)s) cannot exceed Jumlah Keluarga (%(jumlah)s)"),
                           balita=balita, jumlah=jumlah)
        self.check_duplicate(row, ((code, tahun), "desa_code"))
        existing = self.existing.get((code, tahun))
        obj = existing or JumlahKeluarga(desa_id=code, tahun=tahun)
        changed = assign(obj, {"jumlah": jumlah, "jumlah_balita": balita, "sumber": row["sumber"][:120] or SUMBER_PK}) or existing is None
        if changed:
            obj.import_batch = self.batch
        return Plan(row=row, obj=obj, changed=changed)


def jumlah_keluarga_template(tahun: int, desa: list[Wilayah], kecamatan: dict[str, str], stored: dict[str, JumlahKeluarga]):
    """The template for one year: one row per desa of the district (in the user's area),
    prefilled with what is stored, so the district fills the gaps and sends it back."""
    note = gettext("Number of families per desa, %(year)d, from BKKBN's family data (Pendataan Keluarga). "
                   "Fill Jumlah Keluarga (and Keluarga dengan Balita if known); keep the headers and codes.") % {"year": tahun}
    rows = []
    for w in desa:
        j = stored.get(w.code)
        rows.append([w.code, kecamatan.get(w.kecamatan_code, ""), w.name, tahun, j.jumlah if j else None,
                     j.jumlah_balita if j else None, j.sumber if j else SUMBER_PK])
    return prefilled_workbook(note, [c.header for c in JumlahKeluargaImporter.columns], rows, text_columns=(1,),
                              number_formats={5: "#,##0", 6: "#,##0"}, widths=(16, 18, 24, 8, 16, 20, 26))
