from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Opd

from .models import Indicator, IndicatorSetting

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
        fields = ["code", "name", "short_name", "definition", "numerator", "denominator", "target_group", "kind",
                  "responsible_opd", "unit", "national_target", "lower_is_better", "is_active"]
        labels = {"national_target": _("target")}
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_opd"].queryset = Opd.objects.filter(kabupaten_id=kabupaten_code, is_active=True)


class CoverageUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled template (Excel or CSV)"))
