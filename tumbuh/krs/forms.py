from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from .models import RISK_FACTORS, Activity, Tpk


class TpkForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = Tpk
        fields = ["desa", "name", "midwife", "pkk_cadre", "kb_cadre", "phone", "is_active"]


class AssignTpkForm(forms.Form):
    tpk = forms.ModelChoiceField(
        label=_("TPK"), queryset=Tpk.objects.none(), required=False, empty_label=_("(no team)")
    )

    def __init__(self, *args, actor, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tpk"].queryset = policy.visible(actor, Tpk.objects.filter(desa_id=family.desa_id, is_active=True))
        self.fields["tpk"].initial = family.tpk_id


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


#: The list's query parameters before they were English (``?tahun=2025``): old links still work.
OLD_FILTER_NAMES = {"tahun": "year", "risiko": "risk", "tanpa_tpk": "without_tpk"}


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    risk = forms.ChoiceField(
        label=_("Risk factor"),
        required=False,
        choices=[("", _("any"))] + [(name, label) for name, label in RISK_FACTORS],
    )
    without_tpk = forms.BooleanField(label=_("without TPK"), required=False)

    def __init__(self, data=None, *args, years, **kwargs):
        if data is not None and any(old in data for old in OLD_FILTER_NAMES):
            data = data.copy()
            for old, new in OLD_FILTER_NAMES.items():
                if old in data and new not in data:
                    data.setlist(new, data.pop(old))
        super().__init__(data, *args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # a year, not 2.025


class LinkForm(forms.Form):
    """Confirm a child as a member of the family in the URL (the pages write its fields per row)."""

    child = forms.IntegerField()
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class UnlinkForm(forms.Form):
    reason = forms.CharField(label=_("Why remove the link?"), max_length=300)
