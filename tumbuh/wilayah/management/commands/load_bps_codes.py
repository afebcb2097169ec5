"""``tumbuh load_bps_codes FILE --user USERNAME [--kabupaten CODE] [--dry-run] [--no-progress]``

Loads the desa's BPS codes from an XLSX or CSV table ("Kode Kemendagri", "Kode BPS") exactly as
the upload on the Regions page and ``tumbuh import kode-bps`` do (``tumbuh.imports.command``):
the same checks, audit and single transaction, the summary line, and the rejected rows next to
the file as ``<name>-ditolak.xlsx``.
"""

from tumbuh.imports.command import command_for
from tumbuh.wilayah.importers import KIND

Command = command_for(KIND)
