"""Forms for the posyandu: register a child, enter a visit. Numbers accept a decimal comma."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from .actions import check_nik
from .models import Child, Measurement, Position
from .nik import clean_nik

_NUMBER = re.compile(r"^\d+([.,]\d+)?$")


class DecimalCommaField(forms.DecimalField):
    """A decimal number typed as ``9,5`` or ``9.5`` (never a thousands separator: a weight of
    ``9.500`` is nine and a half kilos, not nine thousand five hundred)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "")
        if not _NUMBER.match(text):
            raise ValidationError(_("Enter a number, e.g. 9,5."), code="invalid")
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number, e.g. 9,5."), code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return number_format(value, use_l10n=True, force_grouping=False)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text input: no spinner, accepts the comma
        attrs.pop("max", None)
        attrs.pop("min", None)
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.strftime("%Y-%m-%d")
        return value


class ChildForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = Child
        fields = ["name", "sex", "birth_date", "nik", "parent_name", "desa", "posyandu", "rt", "rw", "address",
                  "birth_weight", "birth_length"]
        widgets = {
            "birth_date": DateInput(),
            "sex": forms.RadioSelect,
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20}),
            "rt": forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
        }
        help_texts = {"nik": _("16 digits, from the family card (KK). Leave empty if the child has none yet.")}

    birth_weight = DecimalCommaField(label=_("birth weight (kg)"), required=False, max_digits=4, decimal_places=2)
    birth_length = DecimalCommaField(label=_("birth length (cm)"), required=False, max_digits=4, decimal_places=1)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["desa"].queryset = policy.visible(actor, Wilayah.objects.filter(level=Level.DESA)).order_by("name")
        self.fields["posyandu"].queryset = policy.visible(actor, Posyandu.objects.filter(is_active=True)).select_related("desa")
        self.fields["posyandu"].label_from_instance = lambda p: f"{p.name} ({p.desa.name})"
        self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0] != ""]
        desa = self.fields["desa"].queryset
        if not self.instance.pk and len(desa[:2]) == 1:
            self.fields["desa"].initial = desa[0].pk
        if self.instance.pk and not policy.can_see_nik(actor, self.instance):
            del self.fields["nik"]  # who may not read the NIK may not overwrite it either

    def clean_nik(self):
        nik = clean_nik(self.cleaned_data.get("nik"))
        problem = check_nik(nik)
        if problem:
            raise ValidationError(problem)
        return nik

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The birth date is in the future."))
        return value

    def clean(self):
        data = super().clean()
        posyandu, desa = data.get("posyandu"), data.get("desa")
        if posyandu and desa and posyandu.desa_id != desa.pk:
            self.add_error("posyandu", _("This posyandu is in another desa."))
        return data

    def validate_unique(self):
        # The unique NIK is checked here with a plain message, not "Child with this NIK exists".
        nik = self.cleaned_data.get("nik")
        if nik and Child.objects.filter(nik=nik).exclude(pk=self.instance.pk).exists():
            self.add_error("nik", _("A child with this NIK is already registered. Search for the child instead."))
        super().validate_unique()


class MeasurementForm(forms.ModelForm):
    """What the cadre types in; everything else (z-scores, status) is computed."""

    weight = DecimalCommaField(label=_("weight (kg)"), required=False, max_digits=5, decimal_places=2,
                               min_value=Decimal("0.5"), max_value=Decimal("99"))
    lenhei = DecimalCommaField(label=_("length/height (cm)"), required=False, max_digits=5, decimal_places=1,
                               min_value=Decimal("30"), max_value=Decimal("200"))
    muac = DecimalCommaField(label=_("arm circumference, LiLA (cm)"), required=False, max_digits=4, decimal_places=1,
                             min_value=Decimal("5"), max_value=Decimal("40"))
    headc = DecimalCommaField(label=_("head circumference (cm)"), required=False, max_digits=4, decimal_places=1,
                              min_value=Decimal("20"), max_value=Decimal("70"))
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = Measurement
        fields = ["date", "weight", "lenhei", "position", "muac", "headc", "oedema"]
        widgets = {"date": DateInput(), "position": forms.RadioSelect}

    def __init__(self, *args, child: Child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["position"].choices = list(Position.choices)
        self.fields["position"].required = True
        if not self.instance.pk and not self.is_bound:
            today = timezone.localdate()
            self.initial["date"] = self.initial.get("date") or today
            self.initial["position"] = self.initial.get("position") or default_position(child, today)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The visit date is in the future."))
        if value and value < self.child.birth_date:
            raise ValidationError(_("The visit date is before the birth date."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("weight") is None and data.get("lenhei") is None and not self.errors:
            raise ValidationError(_("Enter the weight, the length/height, or both."))
        return data

    def validate_unique(self):
        pass  # a visit on a date that already has one corrects it (see the view)


def default_position(child: Child, on: dt.date) -> str:
    """WHO: under 24 months lying (length), from 24 months standing (height)."""
    return Position.LYING if (on - child.birth_date).days < 731 else Position.STANDING
