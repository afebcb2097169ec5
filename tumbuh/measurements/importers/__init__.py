"""Importing e-PPGBM exports (and Tumbuh's own simple template) as children and visits.

One importer, kind ``eppgbm``, reads both: e-PPGBM's Indonesian headers are aliases of the
template's. Per row:

- cells: decimal commas, dd/mm/yyyy or Excel serial dates, JK L/P, Cara Ukur
  Terlentang/Berdiri, "2 Tahun - 3 Bulan - 5 Hari";
- ``validation.check_dates`` / ``check_values`` (errors reject, with the probable fix);
- names (Kec, Desa/Kel, Posyandu, Puskesmas) matched within the user's scope: exactly after
  normalising, else through a confirmed ``NameMapping``, else rejected with a proposal that
  the batch page offers to confirm;
- the child: by valid NIK, else by (normalised name, birth date, desa); an invalid NIK is a
  warning, stored blank (the raw value stays in the stored file and the batch findings);
  a valid NIK already used by a different child rejects the row;
- the visit: identified by (child, date); duplicates within the file are rejected; the
  height and weight change since the child's neighbouring visits (already stored or earlier
  in the file) are checked;
- what else the file says is kept: the services (Naik Berat Badan, Jml Vit A, KIA, KPSP, Kelas
  Ibu Balita, MBG, ASI Bulan 0–6 as seven Y/T/- letters, "" when no month is recorded) with the visit, where a cell that cannot be read is
  not used (a stored visit keeps its value, a new one has it unknown) and warns
  (``service_unreadable:<column>``) instead of losing the visit; an ASI month the child had not
  reached is ignored and vitamin A before 6 months kept, both with a warning
  (``validation.check_services``); head
  circumference and oedema into the growth engine; birth order and the parent's NIK and phone
  onto the child where it has none (never overwriting);
- a column the file does not have, or an empty cell of an optional value, says nothing: the
  stored value stays (absent is not "no"), so a re-import of the same file is unchanged;
- an anonymised name (``ANON_123``) is never matched or created by name: the valid NIK alone
  decides (a new child gets the name as a placeholder, which a later file with the real name
  and the same NIK replaces); without one the row is rejected, with how to fix it.

Writing is per chunk: new children and visits with ``audit.bulk.BulkWrite`` (the policy asked
once, for the batch), z-scores with ``scoring.score`` over the whole chunk, changed visits
through ``do_save`` (one audit row each), and one audit row for the batch's new rows as a whole
(``finish``). e-PPGBM's own z-scores are
kept in ``eppgbm_*``; where they differ from Tumbuh's by more than 0.01 the batch counts a
data-quality finding.

The parts: ``columns`` (the declared columns and the cell readers), ``names`` (places matched
by name, ``confirm_mapping``), ``identity`` (which child a row is about), ``writer`` (a chunk
of plans written) and ``importer`` (``EppgbmImporter``: prepare, validate, finish).
"""

from .columns import (
    ASI_COLUMNS,
    COLUMNS,
    SERVICE_COLUMNS,
    UNSAID,
    VALUE_FIELDS,
    WARNING_TEXT,
    person_key,
    read_asi,
    read_birth_order,
    read_kpsp,
    read_oedema,
    read_phone,
    read_vitamin_a,
    read_weight_gain,
    read_yes_no,
    warning_text,
    with_aliases,
)
from .identity import _same_name, is_anonymised
from .importer import EppgbmImporter
from .names import ALL_NAME_REASONS, NAME_REASONS, NAME_REASONS_PROPOSED, confirm_mapping, target_choices
from .writer import Z_TOLERANCE

__all__ = [
    "ALL_NAME_REASONS",
    "ASI_COLUMNS",
    "COLUMNS",
    "NAME_REASONS",
    "NAME_REASONS_PROPOSED",
    "SERVICE_COLUMNS",
    "UNSAID",
    "VALUE_FIELDS",
    "WARNING_TEXT",
    "Z_TOLERANCE",
    "EppgbmImporter",
    "_same_name",
    "confirm_mapping",
    "is_anonymised",
    "person_key",
    "read_asi",
    "read_birth_order",
    "read_kpsp",
    "read_oedema",
    "read_phone",
    "read_vitamin_a",
    "read_weight_gain",
    "read_yes_no",
    "target_choices",
    "warning_text",
    "with_aliases",
]
