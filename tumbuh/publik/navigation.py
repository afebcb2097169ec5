"""Aksi 7's publication side in the menu, for those who publish rounds (the district admin);
everyone else keeps Aksi 7's Pantau Aksi page."""

from tumbuh.accounts import policy
from tumbuh.aksi.navigation import action_entry

from .models import PublishedRound


def may_publish(user) -> bool:
    return policy.can(user, policy.ADD, PublishedRound)


def entries():
    return [action_entry(7, "publik:manage", when=may_publish)]
