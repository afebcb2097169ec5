from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Role
from tumbuh.indikator.models import Indicator
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from .models import Activity


class ActivityForm(AuditedForm):
    class Meta:
        model = Activity
        fields = [
            "year",
            "opd",
            "program_code",
            "program",
            "kegiatan_code",
            "kegiatan",
            "sub_kegiatan_code",
            "sub_kegiatan",
            "indicator",
            "desa",
            "volume",
            "unit",
            "budget",
            "funding_source",
            "funding_note",
            "start_month",
            "end_month",
            "note",
        ]
        widgets = {"start_month": forms.Select, "end_month": forms.Select}

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kabupaten_id = kabupaten_code
        opd = Opd.objects.filter(kabupaten_id=kabupaten_code, is_active=True)
        if self.actor.role == Role.OPD:
            opd = opd.filter(pk=self.actor.opd_id)
            self.fields["opd"].initial = self.actor.opd_id
        self.fields["opd"].queryset = opd
        self.fields["indicator"].queryset = Indicator.objects.for_kabupaten(kabupaten_code)
        self.fields["desa"].queryset = Wilayah.objects.filter(kabupaten_code=kabupaten_code, level=Level.DESA).order_by(
            "code"
        )
        self.fields["desa"].label_from_instance = lambda w: f"{w.name} ({w.code})"
        from django.utils.dates import MONTHS

        months = [(m, MONTHS[m]) for m in range(1, 13)]
        for name in ("start_month", "end_month"):
            self.fields[name].widget.choices = months
        self.fields["desa"].help_text = _("Leave empty for an activity that covers the whole regency.")
