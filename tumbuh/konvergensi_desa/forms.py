import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.documents.validators import validate_upload
from tumbuh.measurements.models import Child
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level

from . import scorecard
from .models import DesaMentor, DesaPolicy, DesaRoleRegulation, Kpm, KpmTraining, MentorVisit

_DATE = forms.DateInput(attrs={"type": "date"})


class RegulationForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}
    document = forms.FileField(label=_("The regulation (PDF scan)"), required=False, validators=[validate_upload])

    class Meta:
        model = DesaRoleRegulation
        fields = ["kabupaten", "kind", "number", "date", "title"]
        widgets = {"date": _DATE}


class DesaPolicyForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = DesaPolicy
        fields = ["desa", "year", "perdes_number", "perdes_date", "perdes_title", "dana_desa", "note"]
        widgets = {"perdes_date": _DATE}


class KpmForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = Kpm
        fields = ["desa", "name", "phone", "sk_number", "since_year", "is_active"]


class KpmTrainingForm(forms.ModelForm):
    class Meta:
        model = KpmTraining
        fields = ["date", "title", "organiser", "hours"]
        widgets = {"date": _DATE}


class DesaMentorForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = DesaMentor
        fields = ["opd", "desa", "year"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["opd"].queryset = policy.visible(actor, Opd.objects.filter(is_active=True))


class MentorVisitForm(forms.ModelForm):
    class Meta:
        model = MentorVisit
        fields = ["date", "activity", "support"]
        widgets = {"date": _DATE, "support": forms.Textarea(attrs={"rows": 2})}


_ANSWER_CHOICES = [("", "—"), (scorecard.Y, "Y"), (scorecard.T, "T"), (scorecard.TS, "TS")]


class TargetForm(forms.Form):
    """One target person: name, (for children) the child in Tumbuh, and Y/T/TS per item."""

    name = forms.CharField(label=_("Name"), max_length=150)
    child = forms.ModelChoiceField(
        label=_("Child in Tumbuh (fills the items Tumbuh knows)"), queryset=Child.objects.none(), required=False
    )

    def __init__(self, *args, actor, group: str, desa_code: str, quarter_end=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        if group == scorecard.IBU_HAMIL:
            del self.fields["child"]
        else:
            children = policy.visible(actor, Child.objects.filter(desa_id=desa_code))
            if quarter_end is not None:  # only children of the group's age during the quarter
                youngest, oldest = (0, 2) if group == scorecard.ANAK_0_23 else (2, 7)
                children = children.filter(
                    birth_date__lte=quarter_end - dt.timedelta(days=round(365.25 * youngest)),
                    birth_date__gt=quarter_end - dt.timedelta(days=round(365.25 * oldest) + 92),
                )
            self.fields["child"].queryset = children.order_by("name")
        for item in scorecard.items(group):
            help_text = _("Filled by Tumbuh when a child is linked.") if item.automatic else ""
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=item.label, choices=_ANSWER_CHOICES, required=not item.automatic, help_text=help_text
            )

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(f"item_{item.code}", "") for item in scorecard.items(self.group)}

    @staticmethod
    def initial_for(target) -> dict:
        initial = {"name": target.name, "child": target.child_id}
        initial.update({f"item_{code}": answer for code, answer in target.answers.items()})
        return initial
