"""The village convergence scorecard (Kemendes, filled by the KPM every quarter): items as
data, and the convergence level as pure arithmetic (no Django models).

Every target person gets, per item, Y (received), T (not received) or TS (not applicable).
The convergence level of a group is ΣY ÷ Σ(items − TS) over its people, and the desa's total
the same sums over all groups; a person whose items are all TS counts in neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

Y, T, TS = "Y", "T", "TS"
ANSWERS = (Y, T, TS)
ANSWER_LABELS = {Y: _("Y (received)"), T: _("T (not received)"), TS: _("TS (not applicable)")}

IBU_HAMIL, ANAK_0_23, ANAK_2_6 = "ibu_hamil", "anak_0_23", "anak_2_6"


@dataclass(frozen=True)
class Item:
    code: str
    label: object  # gettext_lazy
    #: Filled by Tumbuh from its own data (when the person is linked to a child).
    automatic: bool = False


GROUPS: dict[str, tuple[object, tuple[Item, ...]]] = {
    IBU_HAMIL: (
        _("Pregnant women"),
        (
            Item("anc4", _("At least 4 antenatal check-ups")),
            Item("ttd90", _("Iron tablets for 90 days")),
            Item("nifas3", _("At least 3 post-natal check-ups")),
            Item("kelas_ibu4", _("At least 4 nutrition counselling / pregnancy classes")),
            Item("kunjungan_kek", _("Monthly home visit if KEK or high-risk")),
            Item("air", _("Safe drinking water")),
            Item("jamban", _("Adequate toilet")),
            Item("jkn", _("Health insurance")),
        ),
    ),
    ANAK_0_23: (
        _("Children 0–23 months"),
        (
            Item("imunisasi", _("Complete basic immunisation")),
            Item("timbang", _("Weighed every month"), automatic=True),
            Item("ukur_panjang", _("Length measured at least twice a year"), automatic=True),
            Item("konseling", _("Parent attends monthly nutrition counselling")),
            Item("kunjungan_gizi", _("Home visit if underweight or stunted"), automatic=True),
            Item("air", _("Safe drinking water")),
            Item("jamban", _("Adequate toilet")),
            Item("akta", _("Birth certificate")),
            Item("jkn", _("Health insurance")),
            Item("kelas_pengasuhan", _("Parent attends parenting class (BKB)")),
        ),
    ),
    ANAK_2_6: (_("Children 2–6 years"), (Item("paud", _("Attends early-childhood education (PAUD)")),)),
}


def items(group: str) -> tuple[Item, ...]:
    return GROUPS[group][1]


def item_labels() -> dict[str, object]:
    """Every item code of every group with its label (a code means the same in each group)."""
    return {item.code: item.label for _label, group_items in GROUPS.values() for item in group_items}


def group_label(group: str):
    return GROUPS[group][0]


def person_counts(group: str, answers: Mapping[str, str]) -> tuple[int, int]:
    """(Y, items − TS) for one person; raises ValueError on a missing or unknown answer."""
    y = applicable = 0
    for item in items(group):
        answer = answers.get(item.code)
        if answer not in ANSWERS:
            raise ValueError(f"{item.code}: {answer!r}")
        if answer == Y:
            y += 1
        if answer != TS:
            applicable += 1
    return y, applicable


@dataclass(frozen=True)
class Level:
    y: int
    applicable: int  # Σ(items − TS)
    people: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.y, self.applicable) if self.applicable else None

    @property
    def percent(self) -> float | None:
        return None if not self.applicable else 100.0 * self.y / self.applicable


def level(group: str, people: Iterable[Mapping[str, str]]) -> Level:
    y = applicable = n = 0
    for answers in people:
        py, pa = person_counts(group, answers)
        y, applicable, n = y + py, applicable + pa, n + 1
    return Level(y, applicable, n)


def levels(people_by_group: Mapping[str, Iterable[Mapping[str, str]]]) -> tuple[dict[str, Level], Level]:
    """Per group and in total: ``({group: Level}, total)``, for every group (empty ones too)."""
    per = {group: level(group, people_by_group.get(group, ())) for group in GROUPS}
    total = Level(
        sum(v.y for v in per.values()), sum(v.applicable for v in per.values()), sum(v.people for v in per.values())
    )
    return per, total
