"""``tumbuh offline_mismatches``: how often the phone's growth engine disagreed with the server's.

Prints the number of visits sent from phones, how many disagreed (a rounded z-score, a flag, a
status or the age in days), per field, then each disagreeing record (``--details``, the default;
``--limit``). A disagreement is a defect of the JavaScript engine: the server's values are the
ones stored. Exits with status 1 under ``--fail`` when there is any (for a scheduled check)."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from tumbuh.offline.models import Kind, OfflineRecord


class Command(BaseCommand):
    help = "Count and list the visits where the phone's z-scores, flags or statuses differ from the server's."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="List at most this many records (default 50).")
        parser.add_argument("--no-details", action="store_true", help="Only the counts.")
        parser.add_argument("--fail", action="store_true", help="Exit with status 1 when any record disagrees.")

    def handle(self, *args, limit, no_details, fail, **options):
        visits = OfflineRecord.objects.filter(kind=Kind.VISIT)
        compared = visits.filter(server__isnull=False, phone__isnull=False).count()
        mismatched = visits.filter(has_mismatch=True).select_related("author", "child").order_by("-created_at", "-pk")
        total = mismatched.count()
        per_field: Counter[str] = Counter()
        for fields in mismatched.values_list("mismatch", flat=True):
            per_field.update((fields or {}).keys())
        self.stdout.write(f"visits sent from phones: {visits.count()}")
        self.stdout.write(f"compared with the server: {compared}")
        self.stdout.write(f"phone and server disagree: {total}")
        for field, n in sorted(per_field.items()):
            self.stdout.write(f"  {field}: {n}")
        if not no_details:
            for rec in mismatched[: max(0, limit)]:
                child = rec.child.tumbuh_id if rec.child_id else "-"
                date = (rec.payload or {}).get("date", "-")
                diffs = ", ".join(
                    f"{field} phone={d.get('phone')!r} server={d.get('server')!r}"
                    for field, d in sorted((rec.mismatch or {}).items())
                )
                self.stdout.write(
                    f"{rec.created_at:%Y-%m-%d %H:%M} {rec.uuid} child {child} visit {date} "
                    f"by {rec.author.get_username() if rec.author else '-'} device {rec.device}: {diffs}"
                )
        if fail and total:
            raise CommandError(f"{total} offline record(s) disagree with the server's growth engine")
