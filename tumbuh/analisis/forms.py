from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LokusWeights


class WeightsForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = LokusWeights
        fields = ["prevalence", "stunted", "coverage_gap", "data_quality"]


class DecreeForm(forms.Form):
    nomor = forms.CharField(label=_("Decree number"), required=False, max_length=120)
    place = forms.CharField(label=_("Place of signing"), required=False, max_length=80)
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bupati = forms.CharField(label=_("Name of the Bupati"), required=False, max_length=120)
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("docx", "DOCX (Word)")], initial="pdf")
