from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.core.numbers import format_number
from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from .models import NATIONAL_TARGETS, DistrictTarget, SurveyFigure, UnderFivePopulation


class SurveyFigureForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}

    class Meta:
        model = SurveyFigure
        fields = ["kabupaten", "year", "survey", "indicator", "prevalence", "ll", "ul", "source"]


class DistrictTargetForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}
    national = forms.ChoiceField(
        label=_("National target (fills year, target and basis)"),
        required=False,
        choices=lambda: (
            [("", "—")]
            + [
                (f"{y}|{t}|{s}", f"{y}: {format_number(float(t), 2, min_places=1)} % ({s})")
                for y, t, s in NATIONAL_TARGETS
            ]
        ),
    )

    class Meta:
        model = DistrictTarget
        fields = ["kabupaten", "indicator", "national", "year", "target", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("year", "target"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        picked = data.get("national")
        if picked:
            year, target, source = picked.split("|")
            data["year"], data["target"] = int(year), target
            data["source"] = data.get("source") or source
            for name in ("year", "target", "source"):
                setattr(self.instance, name, data[name])
        for name in ("year", "target"):
            if data.get(name) in (None, ""):
                self.add_error(name, _("This field is required."))
        return data


class PopulationForm(AuditedForm):
    wilayah_fields = {"wilayah": (Level.KABUPATEN, Level.KECAMATAN, Level.DESA)}

    class Meta:
        model = UnderFivePopulation
        fields = ["wilayah", "year", "count", "source"]
