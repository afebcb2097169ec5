"""Aksi 1 in the menu: the situation analysis."""

from tumbuh.aksi.navigation import action_entry


def entries():
    return [action_entry(1, "analisis:situasi")]
