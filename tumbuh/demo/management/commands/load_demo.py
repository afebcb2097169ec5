from django.core.management.base import BaseCommand

from tumbuh.demo.children import FULL_CHILDREN, SECOND_CHILDREN
from tumbuh.demo.generator import SEED, build_demo


class Command(BaseCommand):
    help = (
        "Build the demo districts (Luwu Timur and Luwu): organisation, posyandu, demo accounts, and both districts' "
        "demo children with their 2023–2025 visits; the Agustus 2025 round of three kecamatan comes in through a "
        "messy demo e-PPGBM export and the importer; synthetic boundaries and posyandu locations for Luwu Timur's map. "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument(
            "--all-regions", action="store_true", help="load all 83,762 desa, not only the demo districts"
        )
        parser.add_argument(
            "--children",
            type=int,
            default=FULL_CHILDREN,
            help=f"demo children to generate in Luwu Timur (default {FULL_CHILDREN:,}; 0 for none)",
        )
        parser.add_argument(
            "--luwu-children",
            type=int,
            default=None,
            help=f"demo children to generate in Kabupaten Luwu (default {SECOND_CHILDREN:,} beside the full "
            f"{FULL_CHILDREN:,} in Luwu Timur, in proportion to --children otherwise; 0 for none)",
        )
        parser.add_argument(
            "--kecamatan", action="append", help="only in this kecamatan (code, e.g. 73.24.04); repeatable"
        )
        parser.add_argument(
            "--no-eppgbm-import",
            action="store_true",
            help="write every visit directly instead of importing one round from the demo e-PPGBM export",
        )
        parser.add_argument(
            "--no-map",
            action="store_true",
            help="leave Luwu Timur without the demo's synthetic boundaries and posyandu locations",
        )
        parser.add_argument(
            "--eppgbm-export",
            metavar="PATH",
            help="only write the demo e-PPGBM export (.xlsx or .csv) to PATH and list its injected problems",
        )

    def handle(
        self, *args, seed, all_regions, children, luwu_children, kecamatan, no_eppgbm_import, no_map, eppgbm_export,
        **options,
    ):  # fmt: skip
        if eppgbm_export:
            return self._export(eppgbm_export, seed, children, kecamatan)
        if luwu_children is None:
            luwu_children = 0 if kecamatan else round(children * SECOND_CHILDREN / FULL_CHILDREN)
        s = build_demo(
            seed=seed,
            all_regions=all_regions,
            children=children,
            kecamatan=kecamatan,
            eppgbm=not no_eppgbm_import,
            progress=self._progress(),
            demo_map=not no_map,
            second_children=luwu_children,
        )
        self.stdout.write(
            f"Demo: {s.kabupaten} kabupaten, {s.puskesmas} puskesmas, {s.posyandu} posyandu, {s.opd} OPD, {s.users} demo accounts"
        )
        if s.boundaries or s.posyandu_located:
            self.stdout.write(
                f"Demo map: {s.boundaries} synthetic boundary files, {s.posyandu_located} posyandu located"
            )
        if s.children_created:
            self.stdout.write(
                f"Demo children: {s.children:,} children, {s.measurements:,} measurements written in {s.children_seconds:.1f} s"
            )
        elif s.children:
            self.stdout.write(f"Demo children already loaded: {s.children:,} children, {s.measurements:,} measurements")
        if s.second_created:
            self.stdout.write(
                f"Demo children in Luwu: {s.second_children:,} children, {s.second_measurements:,} measurements "
                f"written in {s.second_seconds:.1f} s"
            )
        if s.batch is not None:
            b = s.batch
            self.stdout.write(
                f"Demo e-PPGBM import ({b.file_name}): {b.total_rows:,} rows, {b.created:,} new, {b.updated:,} updated, "
                f"{b.rejected:,} rejected; batch {b.pk}"
            )

    def _export(self, path, seed, children, kecamatan):
        from collections import Counter

        from tumbuh.demo import eppgbm_export as E
        from tumbuh.demo.children import demo_area, generate

        data = generate(demo_area(kecamatan), children or FULL_CHILDREN, seed)
        present = set(data.area.kecamatan.tolist())
        export = E.build_export(data, kecamatan=[k for k in E.DEFAULT_KECAMATAN if k in present] or sorted(present)[:1])
        export.write(path)
        counts = Counter(export.problems.values())
        self.stdout.write(
            f"Wrote {path}: {len(export.rows):,} rows, {len(export.problems)} with an injected problem, "
            f"{len(export.heaped)} heaped"
        )
        for kind, n in sorted(counts.items()):
            rows = export.rows_of(kind)
            shown = ", ".join(map(str, rows[:8])) + (" …" if len(rows) > 8 else "")
            self.stdout.write(f"  {kind} ({E.EXPECTED[kind]}): {n} rows: {shown}")

    def _progress(self):
        if not self.stdout.isatty():
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
