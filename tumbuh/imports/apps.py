from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tumbuh.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        from tumbuh.core.contracts import app_modules

        # Each app's ``importers`` module registers its kinds (e.g. tumbuh.organisation.importers).
        app_modules("importers")
