"""Luwu Timur's demo village layer: the Perbup on the role of desa, Malili's village policies
for 2025, a KPM per desa with trainings, OPD Pembina Desa with visits (some not yet), and the
scorecard of Desa Balantang for the third quarter of 2025, its children linked to Tumbuh's
records so that the items Tumbuh knows are filled from the measurements."""

from __future__ import annotations

import datetime as dt
import random

from tumbuh.accounts.models import User
from tumbuh.demo.names import BOYS, MOTHERS
from tumbuh.measurements.models import Child
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from . import scorecard
from .actions import do_log_mentoring, do_record_target, do_save_checked
from .models import DesaMentor, DesaPolicy, DesaRoleRegulation, Kpm, KpmTraining, MentorVisit, ScorecardTarget

KABUPATEN, KECAMATAN, BALANTANG = "73.24", "73.24.04", "73.24.04.2010"
YEAR, QUARTER = 2025, 3
MENTORS = ["DINKES", "DP2KB", "DPMD", "DINSOS", "DPUPR", "DISPERKIM", "DKP", "DISTAN"]
REASON = "data demo"


def _regulation(admin: User) -> None:
    if not DesaRoleRegulation.objects.filter(kabupaten_id=KABUPATEN).exists():
        do_save_checked(
            admin,
            DesaRoleRegulation(
                kabupaten_id=KABUPATEN,
                number="18 Tahun 2022",
                date=dt.date(2022, 6, 14),
                title="Peran Desa dalam Percepatan Penurunan Stunting Terintegrasi di Kabupaten Luwu Timur",
            ),
            reason=REASON,
        )


def _villages(admin: User, desa: list[Wilayah], rng: random.Random) -> None:
    for village in desa:
        if DesaPolicy.objects.filter(desa=village, year=YEAR).exists():
            continue
        has_perdes = rng.random() < 0.45
        do_save_checked(
            admin if village.code != BALANTANG else _desa_user(admin),
            DesaPolicy(
                desa=village,
                year=YEAR,
                perdes_number=f"{rng.randint(1, 9)} Tahun 2024" if has_perdes else "",
                perdes_date=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)) if has_perdes else None,
                perdes_title="Konvergensi Pencegahan Stunting di Desa" if has_perdes else "",
                dana_desa=rng.choice([0, 0, 15_000_000, 25_000_000, 40_000_000, 62_500_000]),
            ),
            reason=REASON,
        )


def _desa_user(admin: User) -> User:
    return User.objects.filter(username="desa.balantang").first() or admin


def _kpm(admin: User, desa: list[Wilayah], rng: random.Random) -> None:
    for village in desa:
        if Kpm.objects.filter(desa=village).exists():
            continue
        kpm = do_save_checked(
            admin,
            Kpm(
                desa=village,
                name=rng.choice(MOTHERS),
                phone=f"08{rng.randint(1100000000, 1399999999)}",
                sk_number=f"141/{rng.randint(10, 99)}/SK-KD/2023",
                since_year=rng.choice([2019, 2021, 2023]),
            ),
            reason=REASON,
        )
        for title, organiser, day in (
            ("Pelatihan KPM: konvergensi dan kartu skor", "DPMD Luwu Timur", dt.date(2024, 3, 12)),
            ("Pemutakhiran e-HDW", "Tenaga Ahli P3MD", dt.date(2025, 5, 20)),
        ):
            if rng.random() < 0.8:
                do_save_checked(
                    admin,
                    KpmTraining(kpm=kpm, date=day, title=title, organiser=organiser, hours=rng.choice([8, 16, 24])),
                    reason=REASON,
                )


def _mentors(admin: User, desa: list[Wilayah], rng: random.Random) -> None:
    if DesaMentor.objects.filter(year=YEAR, desa__kecamatan_code=KECAMATAN).exists():
        return
    opds = {o.short_name: o for o in Opd.objects.filter(kabupaten_id=KABUPATEN, short_name__in=MENTORS)}
    for i, village in enumerate(desa[:-3]):  # the last three desa still wait for a mentor
        opd = opds.get(MENTORS[i % len(MENTORS)])
        if opd is None:
            continue
        assignment = do_save_checked(admin, DesaMentor(opd=opd, desa=village, year=YEAR), reason=REASON)
        for _n in range(0 if i % 4 == 3 else rng.randint(1, 3)):  # every fourth mentor has not visited
            do_log_mentoring(
                admin,
                MentorVisit(
                    mentor=assignment,
                    date=dt.date(YEAR, rng.randint(2, 10), rng.randint(1, 28)),
                    activity=rng.choice(
                        ["Pendampingan penyusunan RKPDesa", "Monitoring posyandu", "Rembuk stunting desa"]
                    ),
                    support=rng.choice(
                        ["Bimbingan teknis kartu skor", "PMT lokal 20 paket", "Fasilitasi sambungan air bersih", ""]
                    ),
                ),
            )


def _answers(group: str, rng: random.Random) -> dict[str, str]:
    answers = {}
    for item in scorecard.items(group):
        r = rng.random()
        answers[item.code] = scorecard.TS if r < 0.1 else (scorecard.T if r < 0.3 else scorecard.Y)
    return answers


def _scorecard(desa_user: User, rng: random.Random) -> None:
    if ScorecardTarget.objects.filter(desa_id=BALANTANG, year=YEAR, quarter=QUARTER).exists():
        return
    end = dt.date(YEAR, 9, 30)
    for mother in rng.sample(MOTHERS, 5):
        do_record_target(
            desa_user,
            ScorecardTarget(desa_id=BALANTANG, year=YEAR, quarter=QUARTER, group=scorecard.IBU_HAMIL, name=mother),
            _answers(scorecard.IBU_HAMIL, rng),
        )
    babies = Child.objects.filter(
        desa_id=BALANTANG, birth_date__gt=end - dt.timedelta(days=730), birth_date__lte=end
    ).order_by("name")
    seen: set[str] = set()
    for child in babies[:12]:
        if child.name in seen:
            continue
        seen.add(child.name)
        do_record_target(
            desa_user,
            ScorecardTarget(
                desa_id=BALANTANG, year=YEAR, quarter=QUARTER, group=scorecard.ANAK_0_23, name=child.name, child=child
            ),
            _answers(scorecard.ANAK_0_23, rng),
        )
    for _n in range(6):
        do_record_target(
            desa_user,
            ScorecardTarget(
                desa_id=BALANTANG,
                year=YEAR,
                quarter=QUARTER,
                group=scorecard.ANAK_2_6,
                name=f"{rng.choice(BOYS)} {_n + 1}",
            ),
            _answers(scorecard.ANAK_2_6, rng),
        )


def seed(seed: int) -> None:
    admin = User.objects.filter(username="admin.lutim").first()
    if admin is None or not Wilayah.objects.filter(pk=KECAMATAN).exists():
        return
    rng = random.Random(seed + 23)  # seeded demo data, no secret  # nosec B311
    desa = list(Wilayah.objects.filter(level=Level.DESA, kecamatan_code=KECAMATAN).order_by("code"))
    _regulation(admin)
    _villages(admin, desa, rng)
    _kpm(admin, desa, rng)
    _mentors(admin, desa, rng)
    _scorecard(_desa_user(admin), rng)
