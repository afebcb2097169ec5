"""What importers of figures per desa share (coverage, number of families): the desa named by
its Kemendagri code and looked up only in the importing user's area of the batch's district,
and the reference sheet of those desa for the template."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah

from .cells import wilayah_code
from .errors import RowError
from .framework import Column

#: The column that names the desa.
DESA_CODE = Column(
    "desa_code",
    "Kode Desa",
    ("kode wilayah", "kode desa/kelurahan", "kode kemendagri"),
    _("Required. Kemendagri code of the desa, e.g. 73.24.04.2010."),
    "00.00.00.2001",
    True,
)


def desa_sheet(user, kabupaten) -> tuple[str, list[str], list[list[str]]]:
    """The template's reference sheet: the desa of the district in ``user``'s area."""
    from tumbuh.accounts import policy

    desa = policy.district_desa(user, kabupaten.code).order_by("code")
    return (gettext("Desa"), ["Kode Desa", "Nama Desa"], [[w.code, w.name] for w in desa])


class ByDesaCode:
    """For an ``Importer``: ``load_desa()`` once in ``prepare``, then ``desa_of(cell)`` per row."""

    desa: dict[str, Wilayah]
    #: Why a desa of the district outside the user's area is refused. An importer whose rows
    #: are refused for a NIK registered outside the area says the same words for both.
    outside_area = gettext_noop("Desa %(code)s is outside your area")

    def load_desa(self) -> dict[str, Wilayah]:
        self.desa = {
            w.code: w
            for w in self.in_scope(Wilayah.objects.filter(level=Level.DESA, kabupaten_code=self.kabupaten.code))
        }
        return self.desa

    def desa_of(self, value: str) -> Wilayah:
        """The desa a cell names (``7324042010`` and ``73.24.04.2010`` alike), or the reason it cannot be used."""
        code = wilayah_code(value)
        if not code:
            raise RowError(gettext_noop("Desa code is empty"))
        if code in self.desa:
            return self.desa[code]
        if Wilayah.objects.filter(code=code, level=Level.DESA).exists():
            raise RowError(self.outside_area, code=code)
        raise RowError(gettext_noop("Unknown desa code %(code)s"), code=code)
