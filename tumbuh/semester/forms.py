from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.forms import AuditedForm
from tumbuh.rapat.forms import teams_managed_by

from .models import SemesterReport


class NewReportForm(AuditedForm):
    class Meta:
        model = SemesterReport
        fields = ["tpps", "year", "semester"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["tpps"].queryset = teams_managed_by(
            actor, self.fields["tpps"].queryset, lambda t: SemesterReport(tpps=t)
        )


class NarrativeForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = SemesterReport
        fields = ["introduction", "achievements", "obstacles", "follow_up"]
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}


class FinaliseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The narrative is checked; make the report final (it cannot be changed afterwards).")
    )
