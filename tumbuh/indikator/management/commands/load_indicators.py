"""Create or update the national indicator catalogue from ``indikator/catalogue.py``, audited."""

from django.core.management.base import BaseCommand

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.indikator.catalogue import catalogue_rows
from tumbuh.indikator.models import Indicator


class Command(BaseCommand):
    help = "Create or update the national indicator catalogue (Perpres 72/2021 and essential coverage)."

    def handle(self, *args, **options):
        created = updated = 0
        for code, values in catalogue_rows():
            obj = Indicator.objects.national().filter(code=code).first()
            if obj is None:
                obj, created = Indicator(code=code), created + 1
            else:
                updated += 1
            for name, value in values.items():
                setattr(obj, name, value)
            do_save(policy.SYSTEM, obj, reason="load_indicators: national catalogue")
        self.stdout.write(f"indicators: {created} created, {updated} checked")
