from django.core.management.base import BaseCommand

from tumbuh.demo.children import FULL_CHILDREN
from tumbuh.demo.generator import SEED, build_demo


class Command(BaseCommand):
    help = (
        "Build the demo districts (Luwu Timur and Luwu): organisation, posyandu, demo accounts, and Luwu Timur's "
        "demo children with their 2023–2025 visits. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--all-regions", action="store_true", help="load all 83,762 desa, not only the demo districts")
        parser.add_argument(
            "--children", type=int, default=FULL_CHILDREN,
            help=f"demo children to generate in Luwu Timur (default {FULL_CHILDREN:,}; 0 for none)",
        )
        parser.add_argument("--kecamatan", action="append", help="only in this kecamatan (code, e.g. 73.24.04); repeatable")

    def handle(self, *args, seed, all_regions, children, kecamatan, **options):
        s = build_demo(seed=seed, all_regions=all_regions, children=children, kecamatan=kecamatan, progress=self._progress())
        self.stdout.write(
            f"Demo: {s.kabupaten} kabupaten, {s.puskesmas} puskesmas, {s.posyandu} posyandu, {s.opd} OPD, {s.users} demo accounts"
        )
        if s.children_created:
            self.stdout.write(f"Demo children: {s.children:,} children, {s.measurements:,} measurements written in {s.children_seconds:.1f} s")
        elif s.children:
            self.stdout.write(f"Demo children already loaded: {s.children:,} children, {s.measurements:,} measurements")

    def _progress(self):
        if self.stdout.isatty() is False:
            return None
        from tqdm import tqdm

        bar = {}

        def update(done, total):
            if "bar" not in bar:
                bar["bar"] = tqdm(total=total, unit=" visits", desc="Demo visits")
            bar["bar"].update(done - bar["bar"].n)
            if done >= total:
                bar["bar"].close()

        return update
