from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TppsConfig(AppConfig):
    name = "tumbuh.tpps"
    verbose_name = _("TPPS team")

    def ready(self):
        """The teams are listed, added, changed and deleted with the organisation's pages
        (``/organisasi/tpps/``), which do not know this app: it registers them there."""
        from tumbuh.organisation.views import Kind, register_kind

        from .forms import TppsForm
        from .models import Tpps
        from .views import decree_in_force

        register_kind(
            Kind(
                "tpps",
                Tpps,
                TppsForm,
                ((_("Name"), "name"), (_("Region"), "wilayah.label"), (_("Decree (SK)"), decree_in_force)),
                ("name",),
                "wilayah__",
                ("wilayah", "secretariat"),
                ("decrees",),
                done_url="tpps:list",
            )
        )
