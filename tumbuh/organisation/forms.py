from django import forms
from django.urls import reverse
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
    """A posyandu's desa and its puskesmas: the puskesmas offered are those in the user's
    area that serve the chosen desa. Choosing a desa asks the server for them again (htmx,
    ``views.posyandu_puskesmas``); without JavaScript the list is the user's puskesmas, and
    ``Posyandu.clean`` refuses one that does not serve the desa, saying so."""

    wilayah_fields = {"desa": (Level.DESA,)}

    class Meta:
        model = Posyandu
        fields = ["name", "code", "desa", "puskesmas", "address", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].widget.attrs.update({
            "hx-get": reverse("organisation:posyandu_puskesmas"), "hx-target": "#id_puskesmas", "hx-swap": "outerHTML",
            "hx-include": "#id_puskesmas",
        })
        self.fields["puskesmas"].queryset = self.fields["puskesmas"].queryset.order_by("name")
        self.offer_puskesmas_of(self["desa"].value())

    def offer_puskesmas_of(self, desa_code) -> None:
        """Offer only the puskesmas serving the desa ``desa_code`` (when the user may see it),
        the only one preselected. The field still accepts any of the user's puskesmas, so that
        a mismatch sent without JavaScript gets ``Posyandu.clean``'s message, not "not one of
        the choices"."""
        field = self.fields["puskesmas"]
        if not desa_code or not self.fields["desa"].queryset.filter(code=desa_code).exists():
            return
        serving = field.queryset.filter(desa=desa_code)
        offered = forms.ModelChoiceField(queryset=serving, empty_label=field.empty_label)
        field.widget.choices = offered.choices
        if not self.is_bound and not self.initial.get("puskesmas"):
            only = list(serving[:2])
            if len(only) == 1:
                self.initial["puskesmas"] = only[0].pk


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why is it deleted?"), required=True)
