"""Demo: Luwu Timur's lokus for 2026 (from the 2025 data): the ten best-ranked desa, with one
swapped by the team for a written reason, so the page shows a decision against the ranking."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Wilayah

from . import actions, situation
from .models import Lokus
from .ranking import rank

KABUPATEN = "73.24"
YEAR = 2026
TOP = 10


def seed(seed: int) -> None:
    with translation.override("id"), transaction.atomic():
        _seed()


def _seed() -> None:
    reader = User.objects.filter(username="admin.lutim").first()  # sees the whole district
    if reader is None:
        return
    if Lokus.objects.filter(kabupaten_id=KABUPATEN, year=YEAR).exists():
        return
    s = situation.build(reader, Wilayah.objects.get(pk=KABUPATEN), YEAR)
    weights = actions.weights_for(KABUPATEN, YEAR)
    scores = rank([r.figures() for r in s.rows], {k: float(v) for k, v in weights.as_dict().items()})
    if len(scores) <= TOP:
        return
    decisions = [actions.Decision(sc.code, True, actions.default_reason(sc, True)) for sc in scores[: TOP - 1]]
    left_out, taken_in = scores[TOP - 1], scores[TOP]
    decisions.append(
        actions.Decision(
            left_out.code,
            False,
            "Sudah menjadi lokus tiga tahun berturut-turut dan "
            "cakupan layanannya telah membaik; diganti desa berikutnya.",
        )
    )
    decisions.append(
        actions.Decision(
            taken_in.code,
            True,
            "Usulan Camat pada rapat TPPS: banyak keluarga berisiko "
            "stunting di dusun terpencil yang belum terlayani posyandu.",
        )
    )
    actions.decide_lokus(
        policy.SYSTEM,  # written by the system, logged as "sistem"
        KABUPATEN,
        YEAR,
        decisions,
        {sc.code: sc for sc in scores},
        weights.as_dict(),
        reason="Data demo",
    )
