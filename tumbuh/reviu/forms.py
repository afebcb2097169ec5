from django import forms

from tumbuh.indikator.models import Indicator
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd

from .models import AnnualReview, Realisation, Recommendation


class RealisationForm(AuditedForm):
    class Meta:
        model = Realisation
        fields = ["physical", "budget", "problems", "note"]
        widgets = {"problems": forms.Textarea(attrs={"rows": 3})}


class ReviewForm(AuditedForm):
    class Meta:
        model = AnnualReview
        fields = ["nomor", "date", "signing_place", "signer_name", "signer_nip", "summary", "problems"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 5}),
        }


class RecommendationForm(AuditedForm):
    class Meta:
        model = Recommendation
        fields = ["text", "indicator", "opd", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, kabupaten_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.for_kabupaten(kabupaten_code)
        self.fields["opd"].queryset = Opd.objects.filter(kabupaten_id=kabupaten_code, is_active=True)
