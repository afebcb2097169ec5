from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from .models import RISK_FACTORS, Kegiatan, TimPendampingKeluarga


class TpkForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = TimPendampingKeluarga
        fields = ["desa", "nama", "bidan", "kader_pkk", "kader_kb", "telepon", "aktif"]


class AssignTpkForm(forms.Form):
    tpk = forms.ModelChoiceField(label=_("TPK"), queryset=TimPendampingKeluarga.objects.none(), required=False,
                                 empty_label=_("(no team)"))

    def __init__(self, *args, actor, keluarga, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tpk"].queryset = policy.visible(actor, TimPendampingKeluarga.objects.filter(desa_id=keluarga.desa_id, aktif=True))
        self.fields["tpk"].initial = keluarga.tpk_id


class VisitForm(forms.Form):
    tanggal = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kegiatan = forms.ChoiceField(label=_("Activity"), choices=Kegiatan.choices)
    catatan = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tahun = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    risiko = forms.ChoiceField(label=_("Risk factor"), required=False, choices=[("", _("any"))] + [(f, l) for f, l in RISK_FACTORS])
    tanpa_tpk = forms.BooleanField(label=_("without TPK"), required=False)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(y, str(y)) for y in years]  # a year, not 2.025


class LinkForm(forms.Form):
    """Confirm a child as a member of the family in the URL (the pages write its fields per row)."""

    child = forms.IntegerField()
    catatan = forms.CharField(label=_("Note"), required=False, max_length=200)


class UnlinkForm(forms.Form):
    alasan = forms.CharField(label=_("Why remove the link?"), max_length=300)
