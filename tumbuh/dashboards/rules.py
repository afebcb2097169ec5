"""Named rules of the dashboards that depend on who is looking (asked by the views instead of
the user's role). The rules on the dashboards' models are the policy's."""

from __future__ import annotations

from tumbuh.accounts.models import Role


def sees_part_of_kecamatan(user) -> bool:
    """A puskesmas officer's area is the desa their puskesmas serves, part of a kecamatan: the
    kabupaten and kecamatan rows, figures of desa they do not see, are not shown to them."""
    return user.role == Role.PUSKESMAS


def summary_puskesmas(user):
    """The puskesmas whose row sums up the user's whole area (a puskesmas officer's own), or
    None."""
    return user.puskesmas if sees_part_of_kecamatan(user) and user.puskesmas_id else None
