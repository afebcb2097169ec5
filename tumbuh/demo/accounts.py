"""The demo accounts, listed on the login page when TUMBUH_DEMO is set."""

from dataclasses import dataclass

DEMO_PASSWORD = "tumbuh-demo-2026"  # shown on the demo's login page, never a real account's  # nosec B105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    wilayah: str
    full_name: str
    where: str
    puskesmas: str = ""  # puskesmas code
    opd: str = ""  # OPD short name

    @property
    def role_label(self):
        from tumbuh.accounts.models import Role

        return Role(self.role).label


DEMO_ACCOUNTS = [
    DemoAccount("prov.sulsel", "province", "73", "TPPS Provinsi Sulawesi Selatan", "Provinsi Sulawesi Selatan"),
    DemoAccount("admin.lutim", "district_admin", "73.24", "Sekretariat TPPS Luwu Timur", "Kabupaten Luwu Timur"),
    DemoAccount("dinkes.lutim", "opd", "73.24", "Seksi Gizi Dinas Kesehatan", "Kabupaten Luwu Timur", opd="DINKES"),
    DemoAccount("camat.malili", "kecamatan", "73.24.04", "TPPS Kecamatan Malili", "Kecamatan Malili"),
    DemoAccount(
        "pkm.malili",
        "puskesmas",
        "73.24.04",
        "Nutrisionis Puskesmas Malili",
        "Puskesmas Malili",
        puskesmas="P7324040101",
    ),
    DemoAccount("desa.balantang", "desa", "73.24.04.2010", "Operator Desa Balantang", "Desa Balantang, Malili"),
    DemoAccount("pantau.lutim", "viewer", "73.24", "Pemantau (hanya baca)", "Kabupaten Luwu Timur"),
    DemoAccount("admin.luwu", "district_admin", "73.17", "Sekretariat TPPS Luwu", "Kabupaten Luwu"),
]
