from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndikatorConfig(AppConfig):
    name = "tumbuh.indikator"
    verbose_name = _("Indicators and coverage")

    def ready(self):
        from tumbuh.imports.signals import batch_imported

        from .after_import import on_batch_imported

        # Coverage recomputed once an e-PPGBM or KRS import commits.
        batch_imported.connect(on_batch_imported, dispatch_uid="indikator_recompute_after_import")
