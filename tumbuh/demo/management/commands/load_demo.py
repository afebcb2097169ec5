from django.core.management.base import BaseCommand

from tumbuh.demo.generator import SEED, build_demo


class Command(BaseCommand):
    help = "Build the demo districts (Luwu Timur and Luwu): organisation, posyandu and demo accounts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--all-regions", action="store_true", help="load all 83,762 desa, not only the demo districts")

    def handle(self, *args, seed, all_regions, **options):
        s = build_demo(seed=seed, all_regions=all_regions)
        self.stdout.write(
            f"Demo: {s.kabupaten} kabupaten, {s.puskesmas} puskesmas, {s.posyandu} posyandu, {s.opd} OPD, {s.users} demo accounts"
        )
