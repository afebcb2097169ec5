"""``tumbuh load_rubric FILE --province CODE [--user USERNAME]``

Loads a rubric file (TOML, like ``penilaian/rubrics/default.toml``) as the province's rubric,
all or nothing, audited as ``--user`` (a province user of that province) or, without it, the
system. A malformed file is refused with every fault, in Indonesian, naming the line (a TOML
syntax error) or the criterion."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Level, Wilayah

from ...rubric import MAX_BYTES, RubricError, load_file


class Command(BaseCommand):
    help = "Load a penilaian kinerja rubric file (TOML) for a province."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the rubric file (TOML)")
        parser.add_argument("--province", required=True, help="Kemendagri code of the province, e.g. 73")
        parser.add_argument("--user", help="who loads it (audited as them); default: the system")

    def handle(self, *args, file, province, user=None, **options):
        with translation.override("id"):
            province_node = Wilayah.objects.filter(code=province, level=Level.PROVINSI).first()
            if province_node is None:
                raise CommandError(f"Provinsi {province} tidak ada di pohon wilayah.")
            actor = policy.SYSTEM
            if user:
                actor = User.objects.filter(username=user, is_active=True).first()
                if actor is None:
                    raise CommandError(f"Tidak ada pengguna aktif {user}.")
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"Berkas {file} tidak ada.")
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"Berkas rubrik lebih besar dari {MAX_BYTES // 1024} KB.")
            try:
                rubric = load_file(actor, province_node, path.read_bytes(), reason=f"tumbuh load_rubric {path.name}")
            except RubricError as e:
                raise CommandError(f"{path.name}:\n" + "\n".join(f"- {error}" for error in e.errors)) from None
            except PermissionDenied:
                raise CommandError(f"{user} tidak boleh memuat rubrik untuk provinsi {province}.") from None
            self.stdout.write(f"Rubrik {rubric} dimuat: {rubric.criteria.count()} kriteria.")
