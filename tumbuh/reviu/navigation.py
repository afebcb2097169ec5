"""Aksi 8 in the menu: the annual performance review."""

from tumbuh.aksi.navigation import action_entry


def entries():
    return [action_entry(8, "reviu:page")]
