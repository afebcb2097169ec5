"""Forms for the posyandu (register a child, enter a visit) and the choice of an e-PPGBM upload file.
Numbers accept a decimal comma."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from . import validation
from .actions import check_nik, check_parent_nik, check_phone, clean_phone
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
    reason = forms.CharField(label=_("Reason for the change"), required=False)

    class Meta:
        model = Child
        fields = [
            "name",
            "sex",
            "birth_date",
            "birth_order",
            "nik",
            "parent_name",
            "parent_nik",
            "parent_phone",
            "desa",
            "posyandu",
            "rt",
            "rw",
            "address",
            "birth_weight",
            "birth_length",
        ]
        widgets = {
            "birth_date": DateInput(),
            "sex": forms.RadioSelect,
            "rt": forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
        }

    # Typed from the family card, often with spaces: the length is checked on the digits (``check_nik``).
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 24}),
        help_text=_("16 digits, from the family card (KK). Leave empty if the child has none yet."),
    )
    parent_nik = forms.CharField(
        label=_("parent's NIK"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 24}),
        help_text=_("The mother's (or parent's) 16-digit NIK, from the family card (KK)."),
    )
    parent_phone = forms.CharField(
        label=_("parent's phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "maxlength": 30}),
        help_text=_("For reminders of the next posyandu day, e.g. 0812 3456 7890."),
    )
    birth_order = forms.IntegerField(
        label=_("birth order (child number)"),
        required=False,
        min_value=1,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3, "autocomplete": "off"}),
    )
    birth_weight = DecimalCommaField(label=_("birth weight (kg)"), required=False, max_digits=4, decimal_places=2)
    birth_length = DecimalCommaField(label=_("birth length (cm)"), required=False, max_digits=4, decimal_places=1)

    def __init__(self, *args, actor, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.today = actor, today
        self.fields["desa"].queryset = policy.visible(actor, Wilayah.objects.filter(level=Level.DESA)).order_by("name")
        self.fields["posyandu"].queryset = policy.visible(
            actor, Posyandu.objects.filter(is_active=True)
        ).select_related("desa")
        self.fields["posyandu"].label_from_instance = lambda p: f"{p.name} ({p.desa.name})"
        self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0] != ""]
        desa = self.fields["desa"].queryset
        if not self.instance.pk and len(desa[:2]) == 1:
            self.fields["desa"].initial = desa[0].pk
        if self.instance.pk and not policy.can_see_nik(actor, self.instance):
            # Who may not read the NIKs may not overwrite them either (nor learn the phone).
            for name in ("nik", "parent_nik", "parent_phone"):
                del self.fields[name]

    def clean_nik(self):
        nik = clean_nik(self.cleaned_data.get("nik"))
        problem = check_nik(nik)
        if problem:
            raise ValidationError(problem)
        return nik

    def clean_parent_nik(self):
        nik = clean_nik(self.cleaned_data.get("parent_nik"))
        problem = check_parent_nik(nik, self.cleaned_data.get("nik") if "nik" in self.fields else self.instance.nik)
        if problem:
            raise ValidationError(problem)
        return nik

    def clean_parent_phone(self):
        phone = clean_phone(self.cleaned_data.get("parent_phone"))
        problem = check_phone(phone)
        if problem:
            raise ValidationError(problem)
        return phone

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value > self.today:
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


class YesNoSelect(forms.NullBooleanSelect):
    """—, yes, no: a service that was not asked about stays empty (None), not "no"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "—"), ("true", _("yes")), ("false", _("no"))]


#: One month of exclusive breastfeeding (``Measurement.asi_months``): not recorded, yes, no.
ASI_CHOICES = [("-", "—"), ("Y", "Y"), ("T", "T")]  # Ya / Tidak, as on the KMS and in e-PPGBM
ASI_FIELDS = tuple(f"asi_{month}" for month in range(7))


class MeasurementForm(forms.ModelForm):
    """What the cadre types in; everything else (z-scores, status) is computed. The services
    (vitamin A, KIA book, kelas ibu balita, MBG, exclusive breastfeeding per month) are
    optional: empty means "not recorded", never "no"."""

    weight = DecimalCommaField(
        label=_("weight (kg)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.5"),
        max_value=Decimal("99"),
    )
    lenhei = DecimalCommaField(
        label=_("length/height (cm)"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("30"),
        max_value=Decimal("200"),
    )
    muac = DecimalCommaField(
        label=_("arm circumference, LiLA (cm)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("5"),
        max_value=Decimal("40"),
    )
    headc = DecimalCommaField(
        label=_("head circumference (cm)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("20"),
        max_value=Decimal("70"),
    )
    vitamin_a = forms.TypedChoiceField(
        label=_("vitamin A capsule at this visit"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), ("0", _("no")), ("1", _("yes"))],
    )
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = Measurement
        fields = [
            "date",
            "weight",
            "lenhei",
            "position",
            "muac",
            "headc",
            "oedema",
            "vitamin_a",
            "kia_book",
            "kelas_ibu_balita",
            "mbg",
        ]
        widgets = {
            "date": DateInput(),
            "position": forms.RadioSelect,
            "kia_book": YesNoSelect,
            "kelas_ibu_balita": YesNoSelect,
            "mbg": YesNoSelect,
        }

    def __init__(self, *args, child: Child, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.child, self.today = child, today
        self.fields["position"].choices = list(Position.choices)
        self.fields["position"].required = True
        given = self.instance.vitamin_a
        if given is not None and given > 1:  # an imported count (e-PPGBM's "Jml Vit A") stays choosable
            self.fields["vitamin_a"].choices = [*self.fields["vitamin_a"].choices, (str(given), str(given))]
        months = (self.instance.asi_months or "").ljust(7, "-")
        for month, name in enumerate(ASI_FIELDS):
            self.fields[name] = forms.ChoiceField(
                label=str(month),
                choices=ASI_CHOICES,
                required=False,
                initial=months[month] if months[month] in "YT" else "-",
            )
        if not self.instance.pk and not self.is_bound:
            self.initial["date"] = self.initial.get("date") or today
            self.initial["position"] = self.initial.get("position") or default_position(child, today)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > self.today:
            raise ValidationError(_("The visit date is in the future."))
        if value and value < self.child.birth_date:
            raise ValidationError(_("The visit date is before the birth date."))
        return value

    def clean(self):
        data = super().clean()
        months = "".join(data.get(name) or "-" for name in ASI_FIELDS)
        self.instance.asi_months = "" if months == "-" * 7 else months  # nothing recorded: empty
        later = validation.asi_months_after_age(months, data.get("date"), self.child.birth_date)
        if later:  # a month the child has not reached yet (the action refuses it too)
            problem = validation.first_error(validation.check_services(data["date"], self.child.birth_date, months))
            self.add_error(ASI_FIELDS[later[0]], problem.text())
        if data.get("weight") is None and data.get("lenhei") is None and not self.errors:
            raise ValidationError(_("Enter the weight, the length/height, or both."))
        return data

    def asi_fields(self):
        """The seven months' fields, for the template's compact row."""
        return [self[name] for name in ASI_FIELDS]

    def validate_unique(self):
        pass  # a visit on a date that already has one corrects it (see the view)


def default_position(child: Child, on: dt.date) -> str:
    """WHO: under 24 months lying (length), from 24 months standing (height)."""
    return Position.LYING if (on - child.birth_date).days < 731 else Position.STANDING


class EppgbmExportForm(forms.Form):
    """Which visits go into the e-PPGBM upload file: a posyandu (or a whole desa) and a month.
    A posyandu or desa the user may not see is a 404 (``policy.get_object_or_404``)."""

    posyandu = forms.CharField(label=_("Posyandu"), required=False, widget=forms.Select)
    desa = forms.CharField(label=_("or the whole desa"), required=False, widget=forms.Select)
    bulan = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-08"}))
    semua = forms.BooleanField(label=_("Also visits imported from files (e-PPGBM already has those)"), required=False)

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        posyandu = policy.visible(user, Posyandu.objects.select_related("desa")).order_by("desa__name", "name")
        grouped: dict[str, list] = {}
        for p in posyandu:
            grouped.setdefault(p.desa.name, []).append((str(p.pk), p.name))
        self.fields["posyandu"].widget.choices = [("", "—"), *grouped.items()]
        desa = list(
            policy.visible(user, Wilayah.objects.filter(level=Level.DESA)).order_by("name").values_list("code", "name")
        )
        self.fields["desa"].widget.choices = [("", "—"), *desa]
        self.fields["bulan"].initial = f"{today:%Y-%m}"
        if len(desa) == 1:
            self.fields["desa"].initial = desa[0][0]

    def clean_posyandu(self):
        value = self.cleaned_data["posyandu"].strip()
        if not value:
            return None
        if not value.isdigit():
            raise Http404
        return policy.get_object_or_404(self.user, Posyandu.objects.select_related("desa"), pk=int(value))

    def clean_desa(self):
        value = self.cleaned_data["desa"].strip()
        if not value:
            return None
        return policy.get_object_or_404(self.user, Wilayah.objects.filter(level=Level.DESA), code=value)

    def clean_bulan(self):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", self.cleaned_data["bulan"].strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValidationError(_("Enter the month as year-month, e.g. 2026-08."))
        return dt.date(int(match[1]), int(match[2]), 1)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("posyandu") is None and data.get("desa") is None:
            raise ValidationError(_("Choose a posyandu or a desa."))
        if data.get("posyandu") is not None:
            data["desa"] = None  # the posyandu is the narrower choice
        return data

    @property
    def place(self):
        return self.cleaned_data["posyandu"] or self.cleaned_data["desa"]


class ReasonForm(forms.Form):
    """The one field of taking a mistake back (remove, restore, merge, undo a merge): why. It is
    required, and kept in the history."""

    reason = forms.CharField(
        label=_("Reason (kept in the history)"), max_length=500, widget=forms.TextInput(attrs={"size": 60})
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why: the reason is kept in the history."))
        return reason
