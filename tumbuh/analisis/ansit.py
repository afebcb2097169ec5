"""Aksi Bangda's "Master Ansit" as one workbook, so a district uploads rather than re-types: a
cover sheet ("Keterangan") and the 15 sheets of its sub-menus in their order
(``ansit_sheets.SHEETS``), filled from what Tumbuh holds for the district, the plan year and
its data year.

``build`` gathers the content (reading the ``Situation`` of Aksi 1, the indicators' coverage,
the TPPS and the Aksi 2 plan; it computes nothing that those do not already hold), ``write``
lays it out with openpyxl. A cell Tumbuh has no figure for stays empty: nothing is estimated.
The cover sheet says what each sheet holds, where each filled column comes from, and, for each
sheet or column left empty, what is missing and who would supply it (an indicator the district
does not use, per its settings, is neither a column nor missing unless it holds numbers). Every
desa row carries the Kemendagri code and the BPS code (empty where the district has not loaded it).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import formats, timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tumbuh.accounts import policy
from tumbuh.core.contracts import app_modules
from tumbuh.core.numbers import excel_value, format_number
from tumbuh.core.spreadsheet import SheetNames, put
from tumbuh.indikator.computations import source_of
from tumbuh.indikator.models import CoverageSource, IndicatorSetting

from .ansit_sheets import CAKUPAN, PROGRAM, SASARAN, SEKTOR, SHEETS, TIM, SheetSpec, sector_sheet
from .situation import DesaRow, Situation

COVER = "Keterangan"
COVER_MISSING = "Belum ada di Tumbuh (sel dibiarkan kosong)"
COVER_SOURCES = "Sumber setiap kolom yang terisi"
COVER_SHEETS = "Isi setiap lembar"
ALL_DESA_SHEETS = "Semua lembar per desa"
CAKUPAN_SHEET = next(s.name for s in SHEETS if s.kind == CAKUPAN)

#: Who supplies the data of Data Sasaran and the codes when Tumbuh holds none: (OPD short names
#: looked up in the district's registry, the name to print when the registry has none of them).
KELUARGA_OPD = (("DP2KB", "DPPKB", "DP3AP2KB"), "Dinas Pengendalian Penduduk dan Keluarga Berencana")
PENGUKURAN_OPD = (("DINKES",), "Dinas Kesehatan (puskesmas)")
SEKRETARIAT_OPD = (("BAPPEDA",), "Sekretariat TPPS")

#: column kind → Excel number format (Excel shows the reader's own separators: 1.234 and 12,5
#: in Indonesian; the codes fix the decimals).
FORMATS = {"text": "@", "int": "#,##0", "pct": "0.0#", "rp": "#,##0", "num": "General", "date": "[$-421]d mmmm yyyy"}
_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "int"
    width: int = 14


IDENTITY = [
    Col("No", "int", 5),
    Col("Kode Kemendagri", "text", 16),
    Col("Kode BPS", "text", 13),
    Col("Kecamatan", "text", 16),
    Col("Desa/Kelurahan", "text", 22),
]


@dataclass
class Block:
    """A further table below a sheet's main one (Tim Koordinasi: the district's team)."""

    title: str
    meta: list[tuple[str, object, str]]  # (label, value, kind)
    columns: list[Col]
    rows: list[list]


@dataclass
class Sheet:
    spec: SheetSpec
    columns: list[Col]
    rows: list[list]
    blocks: list[Block] = field(default_factory=list)
    identity: int = len(IDENTITY)  # leading columns that name the desa (not data)

    @property
    def name(self) -> str:
        return self.spec.name

    def filled_columns(self) -> list[str]:
        """Headers of the data columns with at least one value."""
        return [
            c.header
            for i, c in enumerate(self.columns)
            if i >= self.identity and any(row[i] not in (None, "") for row in self.rows)
        ]

    def status(self) -> str:
        data = len(self.columns) - self.identity
        filled = len(self.filled_columns())
        if not filled and not any(b.rows for b in self.blocks):
            return "kosong (lihat daftar di bawah)"
        if filled == data:
            return "terisi"
        return f"sebagian: {filled} dari {data} kolom berisi data"


@dataclass
class Note:
    sheet: str
    item: str
    text: str
    supplier: str = ""


@dataclass
class MasterAnsit:
    situation: Situation
    on: dt.date  # the TPPS as of this day
    sheets: list[Sheet]
    sources: list[Note]
    missing: list[Note]


# ---------------------------------------------------------------- gathering


class _Builder:
    def __init__(self, situation: Situation, user, on: dt.date):
        from tumbuh.organisation.models import Opd

        self.s, self.user, self.on = situation, user, on
        self.kab = situation.kabupaten
        self.year = situation.data_year
        self.n_desa = len(situation.rows)
        self.sources: list[Note] = []
        self.missing: list[Note] = []
        self.opd = list(policy.visible(user, Opd.objects.filter(kabupaten=self.kab, is_active=True)))
        self.opd_by_pk = {o.pk: o for o in self.opd}
        self.opd_of = {i.code: self._opd_short_name(i) for i in situation.indicators}
        # Switched off in the district's settings ("used in this district"): not asked for, unless held.
        unused = set(
            IndicatorSetting.objects.filter(kabupaten_id=self.kab.code, is_active=False).values_list(
                "indicator_id", flat=True
            )
        )
        self.indicators = [i for i in situation.indicators if i.pk not in unused or self._held(i)]

    # -- who answers for what

    def _opd_short_name(self, indicator) -> str:
        opd = self.opd_by_pk.get(indicator.responsible_opd_id_for(self.kab.code))
        return opd.short_name if opd else indicator.lead_opd

    def supplier(self, names: tuple[str, ...], fallback: str) -> str:
        """The district's OPD of one of ``names`` (by short name), as "Name (SHORT)", else ``fallback``."""
        wanted = [n.upper() for n in names]
        found = sorted(
            (wanted.index(o.short_name.upper()), o.name, o.short_name)
            for o in self.opd
            if o.short_name.upper() in wanted
        )
        return f"{found[0][1]} ({found[0][2]})" if found else fallback

    def indicator_supplier(self, indicator) -> str:
        short = self.opd_of[indicator.code]
        if not short:
            return "OPD penanggung jawab belum ditetapkan (Indikator → pengaturan kabupaten)"
        return self.supplier((short,), short)

    def note(self, sheet: str, item: str, text: str) -> None:
        self.sources.append(Note(sheet, item, text))

    def lack(self, sheet: str, item: str, text: str, supplier: str) -> None:
        self.missing.append(Note(sheet, item, text, supplier))

    def share(self, n: int) -> str:
        return f"terisi untuk {n} dari {self.n_desa} desa"

    # -- the desa rows

    @staticmethod
    def identity(n: int, r: DesaRow) -> list:
        return [n, r.desa.code, r.desa.bps_code or None, r.kecamatan, r.desa.name]

    def codes(self) -> None:
        loaded = sum(1 for r in self.s.rows if r.desa.bps_code)
        self.note(ALL_DESA_SHEETS, "Kode Kemendagri", "Wilayah Tumbuh (Kepmendagri 300.2.2-2138/2025)")
        how = "dimuat kabupaten dari tabel BPS (Pengaturan → Wilayah → Muat kode BPS, atau tumbuh load_bps_codes)"
        if loaded:
            self.note(ALL_DESA_SHEETS, "Kode BPS", f"{how}; {self.share(loaded)}")
        if loaded < self.n_desa:
            self.lack(
                ALL_DESA_SHEETS,
                "Kode BPS",
                "belum dimuat" if not loaded else f"belum ada untuk {self.n_desa - loaded} dari {self.n_desa} desa",
                f"{self.supplier(*SEKRETARIAT_OPD)}, dari BPS kabupaten; {how}",
            )

    # -- the sheets

    def sasaran(self, spec: SheetSpec) -> Sheet:
        s, name = self.s, spec.name
        measured = [r.children_measured > 0 and s.period is not None for r in s.rows]
        columns = [
            *IDENTITY,
            Col("Jumlah Keluarga", width=12),
            Col("Jumlah Keluarga Berisiko Stunting (KRS)", width=16),
            Col("Jumlah Balita (sasaran)"),
            Col("Jumlah Balita Diukur"),
            Col("Jumlah Balita Sangat Pendek"),
            Col("Jumlah Balita Pendek"),
            Col("Prevalensi Stunting (%)", "pct"),
        ]
        rows = []
        for n, (r, m) in enumerate(zip(s.rows, measured), start=1):
            prevalence = (
                excel_value(r.prevalence, 2) if m and r.prevalence is not None else None
            )  # the one rounding rule
            rows.append(
                [
                    *self.identity(n, r),
                    r.families,
                    r.krs,
                    r.under_five,
                    r.measured_length if m else None,
                    r.sangat_pendek if m else None,
                    r.pendek if m else None,
                    prevalence,
                ]
            )
        families = sum(1 for r in s.rows if r.families is not None)
        keluarga = self.supplier(*KELUARGA_OPD)
        if families:
            sources = "; ".join(sorted({r.families_source for r in s.rows if r.families is not None}))
            self.note(
                name,
                "Jumlah Keluarga",
                f"{sources} tahun {self.year}, dimasukkan atau diimpor per desa ke Tumbuh "
                f"(KRS → Jumlah keluarga); {self.share(families)}",
            )
        if families < self.n_desa:
            self.lack(
                name,
                "Jumlah Keluarga",
                f"jumlah keluarga tahun {self.year} (Pendataan Keluarga BKKBN) "
                + ("belum ada" if not families else f"belum ada untuk {self.n_desa - families} desa"),
                keluarga,
            )
        krs = sum(1 for r in s.rows if r.krs is not None)
        if krs:
            self.note(
                name,
                "Jumlah Keluarga Berisiko Stunting (KRS)",
                f"daftar Verval KRS BKKBN tahun {self.year} yang diimpor ke Tumbuh (KRS); {self.share(krs)}; "
                "kosong untuk desa yang tidak ada dalam daftar",
            )
        else:
            self.lack(
                name, "Jumlah Keluarga Berisiko Stunting (KRS)", f"daftar KRS tahun {self.year} belum diimpor", keluarga
            )
        if any(r.under_five is not None for r in s.rows):
            self.note(
                name,
                "Jumlah Balita (sasaran)",
                "jumlah balita Dukcapil bila dimasukkan (Dasbor → Target), selain itu balita yang terdaftar di Tumbuh",
            )
        pengukuran = self.supplier(*PENGUKURAN_OPD)
        if s.period is None:
            self.lack(
                name,
                "Balita diukur, sangat pendek, pendek, prevalensi",
                f"belum ada pengukuran balita tahun {self.year} (Februari atau Agustus)",
                f"{pengukuran}: impor e-PPGBM atau formulir kunjungan posyandu",
            )
        else:
            done = sum(measured)
            self.note(
                name,
                "Jumlah Balita Diukur, Sangat Pendek, Pendek",
                f"pengukuran posyandu {s.period.label} (e-PPGBM dan formulir kunjungan); balita dengan z-skor TB/U sah; "
                f"sangat pendek < −3 SD, pendek −3 sampai < −2 SD (standar WHO 2006, Permenkes 2/2020); {self.share(done)}",
            )
            self.note(name, "Prevalensi Stunting (%)", "(pendek + sangat pendek) ÷ balita diukur × 100")
            if done < self.n_desa:
                self.lack(
                    name,
                    "Balita diukur, sangat pendek, pendek, prevalensi",
                    f"tidak ada balita diukur pada {s.period.label} di {self.n_desa - done} desa",
                    pengukuran,
                )
        return Sheet(spec, columns, rows)

    def _coverage_sheet(self, spec: SheetSpec, indicators, *, told: bool = False) -> Sheet:
        """One column per indicator; ``told``: their sources are told under Data Cakupan Layanan."""
        columns = [*IDENTITY, *(Col(f"{i.short_name} (%)", "pct", 13) for i in indicators)]
        rows = []
        for n, r in enumerate(self.s.rows, start=1):
            values = [r.coverage[i.code].value for i in indicators]
            rows.append([*self.identity(n, r), *(excel_value(v, 2) for v in values)])  # the one rounding rule
        for i in indicators:
            entered = sum(1 for r in self.s.rows if r.coverage[i.code].value is not None)
            if not entered:
                continue
            if told:  # every indicator with a value is on Data Cakupan Layanan too
                self.note(spec.name, f"{i.short_name} (%)", f"seperti kolom yang sama di lembar {CAKUPAN_SHEET}")
                continue
            target = self.s.targets.get(i.code)
            aim = f"; target kabupaten {format_number(target, 1)}%" if target is not None else ""
            how = self._how(i, entered)
            self.note(
                spec.name,
                f"{i.short_name} (%)",
                f"{i.name}; cakupan tahun {self.year}, {how} (Indikator → Cakupan){aim}; {self.share(entered)}",
            )
        return Sheet(spec, columns, rows)

    def _how(self, indicator, entered: int) -> str:
        """Where the column's numbers come from, by each cell's source: a computed indicator may
        hold numbers entered or imported in the desa where Tumbuh has no records."""
        computed = sum(
            1
            for r in self.s.rows
            if r.coverage[indicator.code].value is not None
            and r.coverage[indicator.code].source == CoverageSource.COMPUTED
        )
        by_hand = f"diisi atau diimpor {self.indicator_supplier(indicator)}"
        source = f"dihitung Tumbuh dari {source_of(indicator.computed_from)}"
        if computed == entered:
            return source
        if not computed:
            return by_hand
        return f"{source} di {computed} desa, {by_hand} di {entered - computed} desa"

    def _held(self, indicator) -> bool:
        return any(r.coverage[indicator.code].value is not None for r in self.s.rows)

    def _lack_blank(self, spec: SheetSpec, indicators) -> None:
        """Name each indicator column without a figure in any desa as missing, with who supplies it."""
        for i in indicators:
            if not self._held(i):
                self.lack(
                    spec.name,
                    f"{i.short_name} (%)",
                    f"belum ada cakupan tahun {self.year} untuk desa mana pun",
                    self.indicator_supplier(i),
                )

    def cakupan(self, spec: SheetSpec) -> Sheet:
        """Every indicator the district uses, a blank column where nothing is held (an indicator
        of a sector sheet is named missing there, not twice)."""
        self._lack_blank(spec, [i for i in self.indicators if sector_sheet(i.code, self.opd_of[i.code]) is None])
        if not any(self._held(i) for i in self.indicators):
            self.lack(
                spec.name,
                "seluruh lembar",
                f"belum ada cakupan layanan tahun {self.year} di Tumbuh",
                "setiap OPD penanggung jawab indikator (Indikator → Cakupan)",
            )
        return self._coverage_sheet(spec, self.indicators)

    def sektor(self, spec: SheetSpec) -> Sheet:
        indicators = [i for i in self.indicators if sector_sheet(i.code, self.opd_of[i.code]) == spec.name]
        supplier = self.supplier(spec.opd, spec.supplier)
        if not indicators:
            self.lack(
                spec.name,
                "seluruh lembar",
                f"Tumbuh tidak mempunyai indikator untuk lembar ini; diperlukan: {spec.needs}",
                supplier,
            )
        self._lack_blank(spec, indicators)
        return self._coverage_sheet(spec, indicators, told=True)

    def tim(self, spec: SheetSpec) -> Sheet:
        from tumbuh.tpps.models import Member, Tpps, on_date_q

        kab, on = self.kab.code, self.on
        teams = {
            t.wilayah_id: t
            for t in policy.visible(
                self.user,
                Tpps.objects.filter(Q(wilayah_id=kab) | Q(wilayah__kabupaten_code=kab))
                .select_related("secretariat")
                .prefetch_related("decrees"),
            )
        }
        decree = {code: t.current_decree(on) for code, t in teams.items()}
        size = {
            m["tpps__wilayah_id"]: m["n"]
            for m in Member.objects.filter(on_date_q(on), tpps__in=list(teams.values()))
            .values("tpps__wilayah_id")
            .annotate(n=Count("pk"))
        }
        columns = [
            *IDENTITY,
            Col("TPPS Kecamatan", "text", 24),
            Col("Nomor SK TPPS Kecamatan", "text", 22),
            Col("Tanggal SK TPPS Kecamatan", "date", 16),
            Col("TPPS Desa", "text", 24),
            Col("Nomor SK TPPS Desa", "text", 22),
            Col("Tanggal SK TPPS Desa", "date", 16),
            Col("Jumlah Anggota TPPS Desa", "int", 12),
        ]
        rows = []
        for n, r in enumerate(self.s.rows, start=1):
            kec, desa = teams.get(r.desa.kecamatan_code), teams.get(r.desa.code)
            kd, dd = decree.get(r.desa.kecamatan_code), decree.get(r.desa.code)
            rows.append(
                [
                    *self.identity(n, r),
                    kec.name if kec else None,
                    kd.number if kd else None,
                    kd.date if kd else None,
                    desa.name if desa else None,
                    dd.number if dd else None,
                    dd.date if dd else None,
                    size.get(r.desa.code, 0) if desa else None,
                ]
            )
        day = formats.date_format(on, "j F Y")
        desa_teams = [r for r in self.s.rows if r.desa.code in teams]
        supplier = self.supplier(spec.opd, spec.supplier)
        self.note(
            spec.name,
            "TPPS Kecamatan, TPPS Desa, SK",
            f"TPPS → Tim: tim kecamatan dan desa yang tercatat di Tumbuh dan SK "
            f"yang berlaku pada {day}; kosong bila belum tercatat",
        )
        kecamatan = sorted({r.desa.kecamatan_code for r in self.s.rows})
        camat = f"camat (SK camat), dikoordinasikan {self.supplier(*SEKRETARIAT_OPD)}"
        no_team = [k for k in kecamatan if k not in teams]
        no_decree = [k for k in kecamatan if k in teams and decree.get(k) is None]
        if no_team:
            self.lack(
                spec.name,
                "TPPS Kecamatan",
                f"belum tercatat untuk {len(no_team)} dari {len(kecamatan)} kecamatan",
                camat,
            )
        if no_decree:
            self.lack(
                spec.name,
                "SK TPPS Kecamatan",
                f"{len(no_decree)} TPPS kecamatan tanpa SK yang berlaku pada {day}",
                camat,
            )
        if not desa_teams:
            self.lack(spec.name, "TPPS Desa", f"belum ada TPPS desa yang tercatat; diperlukan: {spec.needs}", supplier)
        else:
            without = sum(1 for r in desa_teams if decree.get(r.desa.code) is None)
            if without:
                self.lack(spec.name, "SK TPPS Desa", f"{without} TPPS desa tanpa SK yang berlaku pada {day}", supplier)
            if len(desa_teams) < self.n_desa:
                self.lack(
                    spec.name,
                    "TPPS Desa",
                    f"belum tercatat untuk {self.n_desa - len(desa_teams)} dari {self.n_desa} desa",
                    supplier,
                )
        return Sheet(spec, columns, rows, blocks=[self._district_team(spec, teams.get(kab), decree.get(kab), day)])

    def _district_team(self, spec: SheetSpec, team, decree, day: str) -> Block:
        from tumbuh.tpps.models import members_on

        secretariat = self.supplier(*SEKRETARIAT_OPD)
        columns = [
            Col("No", "int", 5),
            Col("Nama", "text", 28),
            Col("Kedudukan dalam Tim", "text", 22),
            Col("Jabatan", "text", 30),
            Col("Instansi", "text", 34),
            Col("Pokja", "text", 30),
            Col("Nomor SK", "text", 22),
        ]
        if team is None:
            self.lack(spec.name, "TPPS Kabupaten", "TPPS kabupaten belum tercatat", secretariat)
            return Block(f"TPPS {self.kab.name}", [], columns, [])
        members = members_on(team, self.on)
        rows = [
            [
                n,
                m.name,
                m.get_position_display(),
                m.office,
                m.agency,
                m.pokja.name if m.pokja else None,
                m.decree.number if m.decree else None,
            ]
            for n, m in enumerate(members, start=1)
        ]
        meta = [
            ("Nomor SK", decree.number if decree else None, "text"),
            ("Tanggal SK", decree.date if decree else None, "date"),
            ("Tentang", decree.title if decree else None, "text"),
            ("Sekretariat", team.secretariat.name if team.secretariat else None, "text"),
            ("Susunan per tanggal", self.on, "date"),
        ]
        self.note(
            spec.name,
            f"{team.name}: susunan",
            f"TPPS → Tim: anggota pada {day} (nama, kedudukan, jabatan, instansi, "
            "pokja); tanpa nomor telepon dan surel",
        )
        if decree is None:
            self.lack(
                spec.name, "SK TPPS Kabupaten", f"belum ada SK TPPS kabupaten yang berlaku pada {day}", secretariat
            )
        if not members:
            self.lack(spec.name, "Anggota TPPS Kabupaten", f"belum ada anggota yang tercatat pada {day}", secretariat)
        return Block(team.name, meta, columns, rows)

    def program(self, spec: SheetSpec) -> Sheet:
        columns = [
            Col("No", "int", 5),
            Col("OPD", "text", 12),
            Col("Kode Program", "text", 11),
            Col("Program", "text", 34),
            Col("Kode Kegiatan", "text", 14),
            Col("Kegiatan", "text", 34),
            Col("Kode Sub Kegiatan", "text", 18),
            Col("Sub Kegiatan", "text", 34),
            Col("Indikator yang Diintervensi", "text", 28),
            Col("Desa Sasaran", "text", 30),
            Col("Kode Kemendagri Desa", "text", 30),
            Col("Kode BPS Desa", "text", 24),
            Col("Volume", "num", 10),
            Col("Satuan", "text", 10),
            Col("Pagu (Rp)", "rp", 16),
            Col("Sumber Dana", "text", 14),
            Col("Waktu Pelaksanaan", "text", 18),
        ]
        rows = []
        # Aksi 2 lies above Aksi 1: its activities come through the ``cycle_inputs`` contract.
        planned = [
            a
            for module in app_modules("cycle_inputs")
            for a in module.plan_activities(self.user, self.kab.code, self.s.plan_year)
        ]
        for n, a in enumerate(planned, start=1):
            desa = sorted(a.desa.all(), key=lambda d: d.code)
            bps = "; ".join(d.bps_code or "-" for d in desa) if any(d.bps_code for d in desa) else None
            rows.append(
                [
                    n,
                    a.opd.short_name,
                    a.program_code,
                    a.program,
                    a.kegiatan_code,
                    a.kegiatan,
                    a.sub_kegiatan_code,
                    a.sub_kegiatan,
                    str(a.indicator),
                    "; ".join(d.name for d in desa) or "Seluruh kabupaten",
                    "; ".join(d.code for d in desa) or None,
                    bps,
                    float(a.volume),
                    a.unit,
                    int(a.budget),
                    a.funding_label,
                    a.timing,
                ]
            )
        if rows:
            self.note(
                spec.name,
                "seluruh lembar",
                f"Aksi 2 → Rencana kegiatan tahun {self.s.plan_year}: kegiatan yang dimasukkan "
                f"setiap OPD ({len(rows)} kegiatan); kode nomenklatur Kepmendagri 050-5889/2021",
            )
        else:
            self.lack(
                spec.name,
                "seluruh lembar",
                f"belum ada rencana kegiatan tahun {self.s.plan_year}; diperlukan: {spec.needs}",
                self.supplier(spec.opd, spec.supplier),
            )
        return Sheet(spec, columns, rows, identity=0)


def build(situation: Situation, user, on: dt.date) -> MasterAnsit:
    """The content of every sheet and of the cover sheet (the TPPS as of ``on``)."""
    with translation.override("id"):
        b = _Builder(situation, user, on)
        b.codes()
        kinds = {SASARAN: b.sasaran, CAKUPAN: b.cakupan, SEKTOR: b.sektor, TIM: b.tim, PROGRAM: b.program}
        sheets = [kinds[spec.kind](spec) for spec in SHEETS]
        return MasterAnsit(situation, on, sheets, b.sources, b.missing)


# ---------------------------------------------------------------- writing


def _put(ws, row: int, column: int, value, kind: str = "text"):
    cell = put(ws, row, column, value)  # text, never a formula (formula injection)
    if isinstance(value, str):
        if kind == "text":
            cell.number_format = FORMATS["text"]
    elif value is not None:
        cell.number_format = FORMATS.get(kind, "General")
    return cell


def _header(ws, row: int, headers: list[str]) -> None:
    for c, header in enumerate(headers, start=1):
        cell = _put(ws, row, c, header)
        cell.font, cell.fill = _BOLD, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _table(ws, top: int, columns: list[Col], rows: list[list]) -> int:
    """Write a header and rows from row ``top``; returns the last row written."""
    _header(ws, top, [c.header for c in columns])
    for r, values in enumerate(rows, start=top + 1):
        for c, (col, value) in enumerate(zip(columns, values), start=1):
            _put(ws, r, c, value, col.kind)
    return top + len(rows)


def _sheet(ws, sheet: Sheet) -> None:
    last = _table(ws, 1, sheet.columns, sheet.rows)
    for c, col in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.freeze_panes = ws.cell(row=2, column=sheet.identity + 1 if sheet.identity else 3)
    for block in sheet.blocks:
        last += 2
        _put(ws, last, 1, block.title).font = Font(bold=True, size=12)
        for label, value, kind in block.meta:
            last += 1
            _put(ws, last, 1, label).font = _BOLD
            _put(ws, last, 2, value, kind)
        last = _table(ws, last + 2, block.columns, block.rows)


def _cover(ws, m: MasterAnsit, now: dt.datetime) -> None:
    s = m.situation
    with translation.override("id"):
        period = s.period.label if s.period else f"belum ada pengukuran tahun {s.data_year}"
        made = formats.date_format(timezone.localtime(now), "j F Y H:i")
        on = formats.date_format(m.on, "j F Y")
    _put(ws, 1, 1, "MASTER ANSIT: ANALISIS SITUASI PERCEPATAN PENURUNAN STUNTING").font = Font(bold=True, size=13)
    lines = [
        ("Kabupaten/Kota", s.kabupaten.name),
        ("Kode Kemendagri", s.kabupaten.code),
        ("Tahun rencana", s.plan_year),
        ("Tahun data", s.data_year),
        ("Periode pengukuran", period),
        ("TPPS per tanggal", on),
        ("Dibuat oleh Tumbuh", made),
        (
            "Catatan",
            "Sel kosong berarti Tumbuh tidak mempunyai datanya: tidak ada angka perkiraan. "
            f'Yang kurang dan siapa yang menyediakannya ada di bagian "{COVER_MISSING}".',
        ),
    ]
    row = 1
    for label, value in lines:
        row += 1
        _put(ws, row, 1, label).font = _BOLD
        _put(ws, row, 2, value, "num")
    row += 2
    _put(ws, row, 1, COVER_SHEETS).font = Font(bold=True, size=12)
    row += 1
    _header(ws, row, ["Lembar", "Isi", "Status"])
    for sheet in m.sheets:
        row += 1
        for c, value in enumerate((sheet.name, sheet.spec.holds, sheet.status()), start=1):
            _put(ws, row, c, value)
    for title, headers, notes in (
        (COVER_SOURCES, ["Lembar", "Kolom", "Sumber di Tumbuh"], m.sources),
        (COVER_MISSING, ["Lembar", "Data", "Yang kurang", "Disediakan oleh"], m.missing),
    ):
        row += 2
        _put(ws, row, 1, title).font = Font(bold=True, size=12)
        row += 1
        _header(ws, row, headers)
        for n in notes:
            row += 1
            for c, value in enumerate((n.sheet, n.item, n.text, n.supplier)[: len(headers)], start=1):
                _put(ws, row, c, value)
    for letter, width in zip("ABCD", (24, 44, 90, 50)):
        ws.column_dimensions[letter].width = width
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write(m: MasterAnsit, *, now: dt.datetime):
    """The workbook in a temporary file, rewound, ready to send; the cover says it was made at ``now``."""
    wb = Workbook()
    cover = wb.active
    names = SheetNames()  # Aksi Bangda's names, which are valid: kept as they are
    cover.title = names.add(COVER)
    _cover(cover, m, now)
    for sheet in m.sheets:
        _sheet(wb.create_sheet(names.add(sheet.name)), sheet)
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out


def master_ansit(situation: Situation, user, on: dt.date, *, now: dt.datetime):
    """Build and write the Master Ansit of ``situation`` as ``user`` sees it (the TPPS as of ``on``), made at ``now``."""
    return write(build(situation, user, on), now=now)
