from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min
from tqdm import tqdm

from tumbuh.dashboards.aggregates import recomputing_for_the_pages, refresh_periods, same_dates, sharing_reads
from tumbuh.dashboards.models import AggregateRun
from tumbuh.dashboards.periods import Period, periods_between


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' precomputed prevalence (every level and indicator) and data quality (every "
        "puskesmas and posyandu) for every round, month and "
        "year that holds measurements, or only the stale ones (--stale), or the periods given (--period R2025-08)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", help="a period key: R2025-08, M2025-03 or Y2025; repeatable")
        parser.add_argument("--stale", action="store_true", help="only periods marked stale or never computed")
        parser.add_argument(
            "--kind", choices=["round", "month", "year"], action="append", help="only periods of this kind; repeatable"
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="as started after an import: hold the pages' recomputation lock meanwhile (pages show the stored "
            "figures), and go on until no period is stale",
        )

    def handle(self, *args, period, stale, kind, background=False, **options):
        if not background:
            return self._refresh(period, stale, kind, **options)

        # While this runs the pages do not recompute stale figures themselves (PostgreSQL). Rounds
        # marked stale meanwhile (another import) are done too: up to three passes.
        with recomputing_for_the_pages():
            for _ in range(3):
                self._refresh(period, True, kind, **options)
                if not AggregateRun.objects.filter(stale=True).exists():
                    break

    def _refresh(self, period, stale, kind, **options):
        from tumbuh.measurements.models import Measurement

        if period:
            try:
                periods = [Period.parse(p) for p in period]
            except ValueError as e:
                raise CommandError(str(e)) from None
        else:
            span = Measurement.objects.aggregate(first=Min("date"), last=Max("date"))
            if not span["first"]:
                self.stdout.write("No measurements: nothing to compute.")
                return
            periods = [
                p for k in (kind or ["round", "month", "year"]) for p in periods_between(span["first"], span["last"], k)
            ]
            if stale:
                fresh = set(AggregateRun.objects.filter(stale=False).values_list("period", flat=True))
                periods = [p for p in periods if p.key not in fresh]
        rows = 0
        with (
            sharing_reads(),  # the registered children, read once for all the periods
            tqdm(
                total=len(periods),
                desc="aggregates",
                unit="period",
                disable=not periods or options.get("verbosity", 1) < 1,
            ) as bar,
        ):
            for group in same_dates(periods):  # a round and its month: computed once, stored for both
                rows += refresh_periods(group)
                bar.update(len(group))
        self.stdout.write(f"Refreshed {len(periods)} periods, {rows:,} area rows.")
