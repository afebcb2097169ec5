"""The Tumbuh pages an action can point to for its generated outputs: key → (label, URL name).

An action definition names a key (configuration); apps that build an action's page add their
entry here. A URL that does not resolve (an app not installed) is simply not linked. The same
keys name the action an app's documents belong to (``aksi.outputs``)."""

from django.utils.translation import gettext_lazy as _

PAGES = {
    "analisis": (_("Situation analysis and lokus"), "analisis:situasi"),
    "coverage": (_("Coverage per desa"), "indikator:coverage"),
    "rencana": (_("Activity plan"), "rencana:list"),
    "rembuk": (_("Rembuk Stunting"), "rembuk:list"),
    "regulasi_desa": (_("Village-role regulation"), "konvergensi_desa:aksi4"),
    "kpm": (_("KPM and the village scorecard"), "konvergensi_desa:aksi5"),
    "quality": (_("Data quality"), "dashboards:quality"),
    "publik": (_("Publish results"), "publik:manage"),
    "prevalence": (_("Prevalence dashboard"), "dashboards:prevalence"),
    "reviu": (_("Annual review"), "reviu:page"),
}
