from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tumbuh.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        # Each app's ``importers`` module registers its kinds (e.g. tumbuh.organisation.importers).
        autodiscover_modules("importers")
