from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tumbuh.accounts import policy
from tumbuh.documents.models import ALLOWED_EXTENSIONS
from tumbuh.documents.validators import validate_upload
from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from .models import DEFAULT_SHARED, FosterParent, HelpKind, SharedField


class FosterParentForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}

    class Meta:
        model = FosterParent
        fields = [
            "kabupaten",
            "name",
            "kind",
            "contact",
            "phone",
            "email",
            "address",
            "commitment",
            "commitment_rupiah",
            "is_active",
        ]
        widgets = {"commitment": forms.Textarea(attrs={"rows": 3})}


class SharedFieldsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=SharedField.choices,
            required=False,
            label=_("Share with the foster parent"),
            help_text=_("Only these appear on the foster parent's information sheet. NIK is never shared."),
            **kwargs,
        )


class MatchForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    foster_parent = forms.ModelChoiceField(label=_("Foster parent"), queryset=FosterParent.objects.none())
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    shared_fields = SharedFieldsField(initial=DEFAULT_SHARED)
    rematch_reason = forms.CharField(
        label=_("Why matched again (only when already matched)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["foster_parent"].queryset = policy.visible(actor, FosterParent.objects.filter(is_active=True))


class SharedFieldsForm(forms.Form):
    shared_fields = SharedFieldsField()


class HelpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=HelpKind.choices)
    value = forms.IntegerField(label=_("Value (Rp)"), min_value=1)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description"), required=False, max_length=250)
    evidence = forms.FileField(
        label=_("Evidence (photo, receipt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
        validators=[validate_upload],
    )


class EndForm(forms.Form):
    end_date = forms.DateField(label=pgettext_lazy("date", "End"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why it ends"), required=False)
