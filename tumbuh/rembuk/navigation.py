"""Aksi 3 in the menu: the Rembuk Stunting."""

from tumbuh.aksi.navigation import action_entry


def entries():
    return [action_entry(3, "rembuk:list")]
