"""A draft semester report (semester II 2025) for Luwu Timur's TPPS. Idempotent."""

from tumbuh.accounts import policy
from tumbuh.tpps.models import Tpps

from . import actions
from .models import SemesterReport

#: The demo is written by the system (the accounts' audit trails stay their own).
SYSTEM = policy.SYSTEM


def seed(seed: int) -> None:
    tpps = Tpps.objects.filter(wilayah_id="73.24").first()
    if tpps is None or SemesterReport.objects.filter(tpps=tpps).exists():
        return
    actions.do_save_report(
        SYSTEM,
        SemesterReport(
            tpps=tpps,
            year=2025,
            semester=2,
            introduction="Laporan ini disusun sebagai pertanggungjawaban pelaksanaan percepatan penurunan stunting "
            "Kabupaten Luwu Timur semester II tahun 2025 kepada TPPS Provinsi Sulawesi Selatan.",
            obstacles="Cakupan pengukuran di sebagian desa masih rendah; data keluarga berisiko belum padan dengan data balita.",
        ),
        reason="data demo",
    )
