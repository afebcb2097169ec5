"""Luwu Timur's demo KRS list (imported from a messy export through the real importer), a TPK
per desa of Malili (two in Balantang), families assigned to them and their visits in 2025,
children confirmed as members of families (as a desa operator would confirm suggestions), and
the number of families in every desa of the district in 2025 (what the Master Ansit for 2026
reads)."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.db import transaction
from django.db.models import Count

from tumbuh.accounts.models import User
from tumbuh.demo.names import MOTHERS
from tumbuh.wilayah.models import Level, Wilayah

from .actions import do_assign_tpk, do_link_child, do_log_visit, do_save_tpk, do_set_family_count
from .models import Activity, Family, FamilyChild, FamilyCount, Tpk

KABUPATEN = "73.24"
KECAMATAN = ("73.24.04",)
YEAR = 2025
FILE_NAME = "krs-luwu-timur-2025.xlsx"


def _import_list(seed: int, admin: User) -> None:
    from tumbuh.imports.framework import run_import

    from .demo_export import krs_export

    if Family.objects.filter(desa__kecamatan_code__in=KECAMATAN, year=YEAR).exists():
        return
    export = krs_export(seed, KECAMATAN, year=YEAR)
    run_import(
        "krs",
        user=admin,
        kabupaten=Wilayah.objects.get(pk=KABUPATEN),
        source=io.BytesIO(export.content),
        file_name=FILE_NAME,
    )


def _teams(rng: random.Random, admin: User) -> dict[str, list[Tpk]]:
    teams: dict[str, list[Tpk]] = {}
    for desa in Wilayah.objects.filter(level=Level.DESA, kecamatan_code__in=KECAMATAN).order_by("code"):
        count = 2 if desa.code == "73.24.04.2010" else 1
        for n in range(1, count + 1):
            name = f"TPK {desa.name} {n}"
            tpk = Tpk.objects.filter(desa=desa, name=name).first()
            if tpk is None:
                tpk = do_save_tpk(
                    admin,
                    Tpk(
                        desa=desa,
                        name=name,
                        midwife=f"Bidan {rng.choice(MOTHERS)}",
                        pkk_cadre=rng.choice(MOTHERS),
                        kb_cadre=rng.choice(MOTHERS),
                        phone=f"08{rng.randint(1100000000, 1399999999)}",
                    ),
                    reason="data demo",
                )
            teams.setdefault(desa.code, []).append(tpk)
    return teams


#: Fewer demo children than this in a desa (the test database has a few hundred in Malili only):
#: its under-fives are a plausible stand-in for the Dukcapil count instead.
_FEW_CHILDREN = 40


@transaction.atomic  # one commit for the district's desa
def _family_counts(seed: int, admin: User) -> None:
    """About 2.5–3.5 families per child under five (a family has 3–4 members, a tenth of the
    people are under five), of which 75–90 % have a child under five."""
    rng = random.Random(seed + 11)  # seeded demo data, no secret  # nosec B311
    born_after = dt.date(YEAR - 5, 12, 31)
    from tumbuh.measurements.models import Child

    under_fives = dict(
        Child.objects.filter(desa__kabupaten_code=KABUPATEN, birth_date__gt=born_after)
        .values_list("desa_id")
        .annotate(n=Count("pk"))
    )
    stored = set(
        FamilyCount.objects.filter(desa__kabupaten_code=KABUPATEN, year=YEAR).values_list("desa_id", flat=True)
    )
    for desa in Wilayah.objects.filter(level=Level.DESA, kabupaten_code=KABUPATEN).order_by("code"):
        children = under_fives.get(desa.code, 0)
        if children < _FEW_CHILDREN:
            children = rng.randint(90, 320)
        families, share = round(children * rng.uniform(2.5, 3.5)), rng.uniform(0.75, 0.9)
        if desa.code not in stored:
            do_set_family_count(
                admin,
                desa.code,
                YEAR,
                families=families,
                families_with_under_five=round(children * share),
                reason="data demo",
            )


def seed(seed: int) -> None:
    admin = User.objects.filter(username="admin.lutim").first()
    if admin is None:
        return
    rng = random.Random(seed + 7)  # seeded demo data, no secret  # nosec B311
    _import_list(seed, admin)
    _family_counts(seed, admin)
    teams = _teams(rng, admin)
    families = Family.objects.filter(desa__kecamatan_code__in=KECAMATAN, year=YEAR).order_by("pk")
    if not families.filter(tpk__isnull=False).exists():  # else assigned on an earlier run
        _assign_and_visit(rng, admin, families, teams)
    _link_children(rng, admin, families)


def _assign_and_visit(rng, admin, families, teams) -> None:
    for family in families:
        desa_teams = teams.get(family.desa_id)
        if not desa_teams or rng.random() < 0.15:  # a few families still wait for a team
            continue
        do_assign_tpk(admin, family, rng.choice(desa_teams), reason="data demo")
        for _i in range(rng.choice([0, 1, 1, 2, 3])):
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
            do_log_visit(
                admin,
                family,
                date=day,
                activity=rng.choice(Activity.values),
                notes=rng.choice(["", "Ibu hamil diantar ke puskesmas", "Penyuluhan gizi seimbang", "PMT diberikan"]),
                today=dt.date(YEAR, 12, 31),
            )  # the year's visits, logged by its end


def _link_children(rng: random.Random, admin: User, families) -> None:
    """Some of the stunted children of the latest round confirmed in a family of their desa
    (the best-ranked suggestion, as a user would), about a third of the rest not yet; then a
    few children who are not stunted. Through ``do_link_child``, like a user's confirmation."""
    from tumbuh.dashboards.aggregates import latest_period
    from tumbuh.measurements.models import Child

    from .linking import suggest_families, under_five_during
    from .targeting import stunted_in

    if FamilyChild.objects.filter(family__in=families).exists():
        return  # linked on an earlier run
    period = latest_period(kind="round")
    if period is None:
        return
    desa = set(families.values_list("desa_id", flat=True))
    stunted = list(stunted_in(Child.objects.filter(desa_id__in=desa), period).order_by("pk"))
    others = list(
        under_five_during(Child.objects.filter(desa_id__in=desa), YEAR)
        .exclude(pk__in=[c.pk for c in stunted])
        .order_by("pk")
    )
    chosen = [c for c in stunted if rng.random() < 0.65] + rng.sample(others, min(len(others), 20))
    taken: set[int] = set(FamilyChild.objects.filter(year=YEAR).values_list("family_id", flat=True))
    for child in chosen:
        best = next((s for s in suggest_families(admin, child, YEAR) if s.obj.pk not in taken), None)
        if best is None:
            continue
        do_link_child(admin, best.obj, child, reason=f"data demo: {best.explanation()}")
        taken.add(best.obj.pk)
