"""Posyandu as points on the map: each located posyandu (``organisation.Posyandu.latitude`` /
``longitude``) with its figures for the map's indicator and period, from the same precomputed
aggregates the areas use (``dashboards.aggregates.indicator_table`` at level ``posyandu``), so
a point says what the posyandu row of the dashboard says.

A public map does not come from here: it draws only a published round's snapshot, with the
public table's suppression decided once for the table, the CSV and the map together
(:mod:`tumbuh.publik.map`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tumbuh.accounts import policy
from tumbuh.dashboards.aggregates import indicator_table
from tumbuh.organisation.models import Posyandu, posyandu_label
from tumbuh.wilayah.models import Level, Wilayah

from . import classes as colour


@dataclass
class Point:
    id: int
    name: str
    code: str
    desa_code: str
    desa_name: str
    kecamatan_name: str
    lat: float
    lon: float
    n: int = 0
    cases: int = 0
    value: float | None = None
    ll: float | None = None
    ul: float | None = None
    colour_class: colour.ColourClass | None = None
    desa_label: str = ""  # "Desa Balantang", "Kelurahan Malili"

    @property
    def colour(self) -> str:
        return self.colour_class.colour if self.colour_class else colour.NO_DATA

    @property
    def label(self) -> str:
        """The posyandu with its desa, so that two "Posyandu Anggrek" are told apart."""
        return posyandu_label(self.name, self.desa_label or self.desa_name)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "desa": self.desa_name,
            "kecamatan": self.kecamatan_name,
            "lat": self.lat,
            "lon": self.lon,
            "n": self.n,
            "cases": self.cases,
            **colour.figure_json(self.value, self.ll, self.ul),
            "color": self.colour,
            "suppressed": "",
        }


def located(user, within_code: str):
    """The active posyandu inside ``within_code`` that ``user`` may see (a queryset)."""
    qs = Posyandu.objects.filter(Wilayah.subtree_q(within_code, "desa__"), is_active=True)
    return policy.visible(user, qs)


def points(*, user, within_code: str, period, indicator: str, estimate: str = "raw") -> list[Point]:
    """Every located posyandu inside ``within_code`` that ``user`` may see, with its figures
    (none when it measured nobody in the period), ordered by desa and name."""
    posyandu = list(
        located(user, within_code)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("desa")
        .order_by("desa_id", "name")
    )
    if not posyandu:
        return []
    rows = {
        r.code: r
        for r in indicator_table(
            user=user, within_code=within_code, level="posyandu", period=period, indicator=indicator
        )
    }
    kecamatan = dict(
        Wilayah.objects.filter(code__in={p.desa.kecamatan_code for p in posyandu}, level=Level.KECAMATAN).values_list(
            "code", "name"
        )
    )
    out = []
    for p in posyandu:
        point = Point(
            p.pk,
            p.name,
            p.code,
            p.desa_id,
            p.desa.name,
            kecamatan.get(p.desa.kecamatan_code, ""),
            float(p.latitude),
            float(p.longitude),
            desa_label=p.desa.label,
        )
        row = rows.get(str(p.pk))
        if row is not None and row.n_measured:
            value, ll, ul = (row.eb_r, row.eb_ll, row.eb_ul) if estimate == "eb" else (row.r, row.ll, row.ul)
            point.n, point.cases, point.value, point.ll, point.ul = row.n_measured, row.cases, value, ll, ul
            point.colour_class = colour.class_of(indicator, value)
        out.append(point)
    return out


def without_location(user, within_code: str) -> int:
    """How many posyandu inside ``within_code`` the user sees that have no location yet."""
    return located(user, within_code).filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count()
