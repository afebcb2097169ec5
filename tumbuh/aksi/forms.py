from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.documents.validators import validate_upload
from tumbuh.organisation.models import Opd

from .models import ActionDefinition, ActionSet, ActionYear
from .outputs import provable
from .pages import PAGES

REASON = dict(label=_("Reason for the change (optional)"), required=False)


class StartYearForm(forms.Form):
    action_set = forms.ModelChoiceField(label=_("Action set"), queryset=ActionSet.objects.none())

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        qs = ActionSet.available_to(kabupaten_code)
        self.fields["action_set"].queryset = qs
        self.fields["action_set"].initial = qs.filter(is_default=True).first()


class ActionYearForm(forms.ModelForm):
    reason = forms.CharField(**REASON)

    class Meta:
        model = ActionYear
        fields = ["status", "responsible_opd", "start_date", "due_date", "note"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, can_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_opd"].queryset = Opd.objects.filter(
            kabupaten_id=self.instance.cycle.kabupaten_id, is_active=True
        )
        if not can_assign:
            for name in ("responsible_opd", "due_date"):
                self.fields[name].disabled = True


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, image, Word, Excel or ODT, at most 20 MB."), validators=[validate_upload]
    )
    reason = forms.CharField(**REASON)


class ActionSetForm(forms.ModelForm):
    reason = forms.CharField(**REASON)

    class Meta:
        model = ActionSet
        fields = ["code", "name", "description", "from_year", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ActionDefinitionForm(forms.ModelForm):
    checklist = forms.CharField(
        label=_("Required outputs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line; they become the action's checklist."),
    )
    page = forms.ChoiceField(label=_("Tumbuh page"), required=False)
    reason = forms.CharField(**REASON)

    class Meta:
        model = ActionDefinition
        fields = ["number", "name", "description", "outputs", "evidence", "lead_opd", "due_month", "page"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("description", "outputs", "evidence")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].choices = [("", "—")] + [(k, label) for k, (label, _url) in PAGES.items()]
        if self.instance.pk:
            self.fields["checklist"].initial = "\n".join(i.label for i in self.instance.items.all())
        # What proves each required output already listed (a new line is wired once saved).
        checks = provable()
        choices = [("", _("No record: ticked by hand"))] + sorted(
            ((key, _("Ticks itself once %(what)s") % {"what": what}) for key, what in checks.items()),
            key=lambda c: c[1],
        )
        self.items = list(self.instance.items.all()) if self.instance.pk else []
        for item in self.items:
            self.fields[f"proof-{item.pk}"] = forms.ChoiceField(
                label=_("Proved by: %(output)s") % {"output": item.label},
                required=False,
                initial=item.proof,
                choices=choices if not item.proof or item.proof in checks else choices + [(item.proof, item.proof)],
            )
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])

    def checklist_lines(self) -> list[str]:
        return self.cleaned_data.get("checklist", "").splitlines()

    def proofs(self) -> dict[int, str]:
        """What proves each required output listed before: its pk → a proof key, or ""."""
        return {item.pk: self.cleaned_data.get(f"proof-{item.pk}", "") for item in self.items}
