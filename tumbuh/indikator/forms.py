from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Opd

from .computations import DEFINITIONS, attachable
from .models import Computation, Indicator, IndicatorSetting

REASON = dict(label=_("Reason for the change (optional)"), required=False)


class IndicatorSettingForm(forms.ModelForm):
    reason = forms.CharField(**REASON)

    class Meta:
        model = IndicatorSetting
        fields = ["responsible_opd", "target", "is_active"]

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_opd"].queryset = Opd.objects.filter(kabupaten_id=kabupaten_code, is_active=True)


class DistrictIndicatorForm(forms.ModelForm):
    reason = forms.CharField(**REASON)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "short_name",
            "definition",
            "numerator",
            "denominator",
            "target_group",
            "kind",
            "responsible_opd",
            "unit",
            "national_target",
            "lower_is_better",
            "computed_from",
            "is_active",
        ]
        labels = {"national_target": _("target")}
        help_texts = {
            "computed_from": _(
                "Tumbuh then computes the coverage from the visits it holds, in the desa "
                "where they record it; leave the numerator and denominator empty to take "
                "Tumbuh's definition."
            )
        }
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_opd"].queryset = Opd.objects.filter(kabupaten_id=kabupaten_code, is_active=True)
        # What a district may attach: the computations no national indicator already carries.
        offered = [Computation.NONE, *attachable()]
        if self.instance.computed_from in Computation.values and self.instance.computed_from not in offered:
            offered.append(Computation(self.instance.computed_from))
        self.fields["computed_from"].choices = [(c.value, c.label) for c in offered]

    def clean(self):
        data = super().clean()
        if data.get("computed_from") in DEFINITIONS:
            numerator, denominator = DEFINITIONS[data["computed_from"]]
            data["numerator"] = data.get("numerator") or numerator
            data["denominator"] = data.get("denominator") or denominator
            data["unit"] = "%"
        return data


class CoverageUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled template (Excel or CSV)"))
