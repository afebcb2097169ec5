"""Compute the indicators Tumbuh can compute from its own data, per desa, for a year."""

import datetime

from django.core.management.base import BaseCommand
from tqdm import tqdm

from tumbuh.indikator.computations import compute, computed_indicators
from tumbuh.wilayah.models import Level, Wilayah


class Command(BaseCommand):
    help = ("Compute coverage indicators from Tumbuh's own data (children whose growth is monitored, vitamin A, and "
            "the KIA book, weight gain, kelas ibu balita and MBG where the district has an indicator for them).")

    def add_arguments(self, parser):
        parser.add_argument("--kabupaten", required=True, help="Kemendagri code, e.g. 73.24")
        parser.add_argument("--year", type=int, default=datetime.date.today().year)

    def handle(self, *args, kabupaten, year, **options):
        desa = list(Wilayah.objects.filter(level=Level.DESA, kabupaten_code=kabupaten).values_list("code", flat=True))
        indicators = computed_indicators(kabupaten).count()
        with tqdm(total=indicators, desc=f"cakupan {kabupaten} {year}", unit=" indikator",
                  disable=options["verbosity"] == 0) as bar:
            n = compute(kabupaten, year, desa, progress=bar.update)
        self.stdout.write(f"{n} coverage rows computed for {indicators} indicators in {len(desa)} desa")
