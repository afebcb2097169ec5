import re
from decimal import Decimal

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
        return {
            f.name: self.cleaned_data[f.name] for f in self.instance._meta.many_to_many if f.name in self.cleaned_data
        }


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


class CoordinateField(forms.DecimalField):
    """Decimal degrees typed either way: ``-2,574812`` or ``-2.574812`` (as a phone or a map
    app copies them), with a typographic minus too; shown with the language's decimal mark."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 14}))
        super().__init__(max_digits=9, decimal_places=6, localize=True, **kwargs)

    def to_python(self, value):
        from tumbuh.imports.cells import parse_decimal

        text = str(value or "").strip().replace("\u2212", "-")
        if not text:
            return None
        try:
            number = parse_decimal(text)
        except ValueError:
            raise forms.ValidationError(_("Enter a number of degrees, e.g. −2,574812."), code="invalid") from None
        return number.quantize(Decimal("0.000001")) if number is not None else None


class GeolocateInput(forms.TextInput):
    """The longitude's input, followed by the "use my location" button with its consent text
    (hidden until the script finds the browser can tell a location) and the warning that a
    location cannot be checked yet, when the district has no boundaries."""

    template_name = "organisation/widgets/geolocate.html"
    latitude_id = "id_latitude"
    warning = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update({"latitude_id": self.latitude_id, "warning": self.warning})
        return context


class PosyanduForm(AuditedForm):
    """A posyandu's desa and its puskesmas: the puskesmas offered are those in the user's
    area that serve the chosen desa. Choosing a desa asks the server for them again (htmx,
    ``views.posyandu_puskesmas``); without JavaScript the list is the user's puskesmas, and
    ``Posyandu.clean`` refuses one that does not serve the desa, saying so."""

    wilayah_fields = {"desa": (Level.DESA,)}
    latitude = CoordinateField(
        label=_("Latitude"),
        required=False,
        help_text=_("Decimal degrees, negative south of the equator, e.g. −2,574812."),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        required=False,
        widget=GeolocateInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 14}),
        help_text=_("Decimal degrees east, e.g. 121,041377."),
    )

    class Meta:
        model = Posyandu
        fields = ["name", "code", "desa", "puskesmas", "address", "is_active", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.formats import get_format

        from . import location

        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["data-decimal"] = get_format("DECIMAL_SEPARATOR")
        widget = self.fields["longitude"].widget
        widget.latitude_id = self["latitude"].auto_id
        code = self._kabupaten_code()
        if code and location.district_extent(code) is None:
            widget.warning = _(location.NOT_CHECKED)
        self.fields["desa"].widget.attrs.update(
            {
                "hx-get": reverse("organisation:posyandu_puskesmas"),
                "hx-target": "#id_puskesmas",
                "hx-swap": "outerHTML",
                "hx-include": "#id_puskesmas",
            }
        )
        self.fields["puskesmas"].queryset = self.fields["puskesmas"].queryset.order_by("name")
        self.offer_puskesmas_of(self["desa"].value())

    def _kabupaten_code(self) -> str:
        desa = self.instance.desa_id if self.instance.pk else ""
        node = desa or getattr(self.actor, "wilayah_id", None) or ""
        return ".".join(node.split(".")[:2]) if node.count(".") >= 1 else ""

    def clean(self):
        data = super().clean()
        # "-2.574812, 121.041377" pasted whole into the latitude (as map apps copy a point)
        raw = (self.data.get(self.add_prefix("latitude")) or "").strip()
        if "latitude" in self.errors and not (self.data.get(self.add_prefix("longitude")) or "").strip():
            parts = [p for p in re.split(r"\s*;\s*|,\s+|\s+", raw) if p]
            if len(parts) != 2 and raw.count(",") == 1 and raw.count(".") == 2:  # "-2.574812,121.041377"
                parts = raw.split(",")
            if len(parts) == 2:
                try:
                    lat, lon = (self.fields["latitude"].to_python(p) for p in parts)
                except forms.ValidationError:
                    return data
                del self.errors["latitude"]
                data["latitude"], data["longitude"] = lat, lon
        return data

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
