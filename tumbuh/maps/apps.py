from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "tumbuh.maps"
    verbose_name = _("Maps")

    def ready(self):
        # A posyandu's location is checked against the district's boundary files (the
        # foundation cannot import this app, so it asks through this registration).
        from tumbuh.organisation.location import register_extent

        from .models import district_extent

        register_extent(district_extent)
