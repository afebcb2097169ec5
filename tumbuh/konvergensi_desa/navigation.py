"""Aksi 4 (village-role regulation) and Aksi 5 (KPM, scorecard, OPD Pembina Desa) in the menu."""

from tumbuh.accounts import policy
from tumbuh.aksi.navigation import action_entry

from .models import Kpm


def entries():
    return [
        action_entry(4, "konvergensi_desa:aksi4"),
        action_entry(5, "konvergensi_desa:aksi5", when=policy.sees_rows_of(Kpm)),
    ]
