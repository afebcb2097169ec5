"""Aksi 2 in the menu: the activity plan."""

from tumbuh.aksi.navigation import action_entry


def entries():
    return [action_entry(2, "rencana:list")]
