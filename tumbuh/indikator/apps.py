from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndikatorConfig(AppConfig):
    name = "tumbuh.indikator"
    verbose_name = _("Indicators and coverage")

    def ready(self):
        from tumbuh.imports.signals import batch_imported
        from tumbuh.measurements.signals import visits_changed

        from .after_import import on_batch_imported
        from .after_visits import on_visits_changed

        # Coverage recomputed once an e-PPGBM or KRS import commits.
        batch_imported.connect(on_batch_imported, dispatch_uid="indikator_recompute_after_import")
        # ... and once a visit is removed, restored, re-dated or moved by a merge.
        visits_changed.connect(on_visits_changed, dispatch_uid="indikator_recompute_after_visits_changed")
