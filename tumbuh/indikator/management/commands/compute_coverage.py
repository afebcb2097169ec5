"""Compute the indicators Tumbuh can compute from its own data, per desa, for a year.

``--user USER`` audits the rows as that user (the district's admin, who asked for it); without
it they are the system's, as for a scheduled run."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.indikator.computations import compute, computed_indicators
from tumbuh.indikator.permissions import may_compute
from tumbuh.wilayah.models import Level, Wilayah


class Command(BaseCommand):
    help = (
        "Compute coverage indicators from Tumbuh's own data (children whose growth is monitored, vitamin A, "
        "exclusive breastfeeding, at-risk families accompanied, and the KIA book, weight gain, kelas ibu balita and "
        "MBG where the district has an indicator for them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kabupaten", required=True, help="Kemendagri code, e.g. 73.24")
        parser.add_argument("--year", type=int, default=datetime.date.today().year)
        parser.add_argument(
            "--user", help="who asks for it (audited as them; a district admin of the kabupaten); default: the system"
        )

    def handle(self, *args, kabupaten, year, user=None, **options):
        actor = policy.SYSTEM
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user}.")
            if not may_compute(actor, kabupaten):
                raise CommandError(f"{user} is not an admin of {kabupaten}: only they compute its coverage.")
        desa = list(Wilayah.objects.filter(level=Level.DESA, kabupaten_code=kabupaten).values_list("code", flat=True))
        indicators = computed_indicators(kabupaten).count()
        with tqdm(
            total=indicators, desc=f"cakupan {kabupaten} {year}", unit=" indikator", disable=options["verbosity"] == 0
        ) as bar:
            n = compute(kabupaten, year, desa, progress=bar.update, actor=actor)
        self.stdout.write(f"{n} coverage rows computed for {indicators} indicators in {len(desa)} desa")
