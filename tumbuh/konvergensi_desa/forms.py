import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.measurements.models import Child
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level

from . import scorecard
from .models import KebijakanDesa, Kpm, KunjunganPembina, PelatihanKpm, PembinaDesa, RegulasiPeranDesa

_DATE = forms.DateInput(attrs={"type": "date"})


class RegulasiForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}
    document = forms.FileField(label=_("The regulation (PDF scan)"), required=False)

    class Meta:
        model = RegulasiPeranDesa
        fields = ["kabupaten", "jenis", "nomor", "tanggal", "judul"]
        widgets = {"tanggal": _DATE}


class KebijakanDesaForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = KebijakanDesa
        fields = ["desa", "tahun", "perdes_nomor", "perdes_tanggal", "perdes_judul", "dana_desa", "catatan"]
        widgets = {"perdes_tanggal": _DATE}


class KpmForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = Kpm
        fields = ["desa", "nama", "telepon", "sk_nomor", "mulai", "aktif"]


class PelatihanForm(forms.ModelForm):
    class Meta:
        model = PelatihanKpm
        fields = ["tanggal", "judul", "penyelenggara", "jam"]
        widgets = {"tanggal": _DATE}


class PembinaForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = PembinaDesa
        fields = ["opd", "desa", "tahun"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["opd"].queryset = policy.visible(actor, Opd.objects.filter(is_active=True))


class KunjunganPembinaForm(forms.ModelForm):
    class Meta:
        model = KunjunganPembina
        fields = ["tanggal", "kegiatan", "dukungan"]
        widgets = {"tanggal": _DATE, "dukungan": forms.Textarea(attrs={"rows": 2})}


_ANSWER_CHOICES = [("", "—"), (scorecard.Y, "Y"), (scorecard.T, "T"), (scorecard.TS, "TS")]


class SasaranForm(forms.Form):
    """One target person: name, (for children) the child in Tumbuh, and Y/T/TS per item."""

    nama = forms.CharField(label=_("Name"), max_length=150)
    anak = forms.ModelChoiceField(label=_("Child in Tumbuh (fills the items Tumbuh knows)"), queryset=Child.objects.none(),
                                  required=False)

    def __init__(self, *args, actor, kelompok: str, desa_code: str, quarter_end=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kelompok = kelompok
        if kelompok == scorecard.IBU_HAMIL:
            del self.fields["anak"]
        else:
            children = policy.visible(actor, Child.objects.filter(desa_id=desa_code))
            if quarter_end is not None:  # only children of the group's age during the quarter
                youngest, oldest = (0, 2) if kelompok == scorecard.ANAK_0_23 else (2, 7)
                children = children.filter(birth_date__lte=quarter_end - dt.timedelta(days=round(365.25 * youngest)),
                                           birth_date__gt=quarter_end - dt.timedelta(days=round(365.25 * oldest) + 92))
            self.fields["anak"].queryset = children.order_by("name")
        for item in scorecard.items(kelompok):
            help_text = _("Filled by Tumbuh when a child is linked.") if item.automatic else ""
            self.fields[f"item_{item.code}"] = forms.ChoiceField(label=item.label, choices=_ANSWER_CHOICES, required=not item.automatic,
                                                                 help_text=help_text)

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(f"item_{item.code}", "") for item in scorecard.items(self.kelompok)}

    @staticmethod
    def initial_for(sasaran) -> dict:
        initial = {"nama": sasaran.nama, "anak": sasaran.anak_id}
        initial.update({f"item_{code}": answer for code, answer in sasaran.jawaban.items()})
        return initial
