from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from .models import Opd, Posyandu, Puskesmas


class AuditedForm(forms.ModelForm):
    """A model form that asks why, and only offers regions and objects the actor may see."""

    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)
    wilayah_fields: dict[str, tuple[int, ...]] = {}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name, levels in self.wilayah_fields.items():
            self.fields[name].queryset = policy.visible(actor, Wilayah.objects.filter(level__in=levels))
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name not in self.wilayah_fields:
                model = field.queryset.model
                if hasattr(model, "scope_path") or model is Puskesmas:
                    field.queryset = policy.visible(actor, field.queryset)

    def m2m(self) -> dict:
        return {f.name: self.cleaned_data[f.name] for f in self.instance._meta.many_to_many if f.name in self.cleaned_data}


class OpdForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}

    class Meta:
        model = Opd
        fields = ["kabupaten", "name", "short_name", "kind", "is_active"]


class PuskesmasForm(AuditedForm):
    wilayah_fields = {"kecamatan": (Level.KECAMATAN,), "desa": (Level.DESA,)}

    class Meta:
        model = Puskesmas
        fields = ["code", "name", "kecamatan", "desa", "address", "is_active"]


class PosyanduForm(AuditedForm):
    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = Posyandu
        fields = ["name", "code", "desa", "puskesmas", "address", "is_active"]


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why is it deleted?"), required=True)
