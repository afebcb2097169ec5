"""What the phone needs to check a visit and show its status as the online form does, as one
JSON-able dict in the active language (:func:`phone_texts`).

The offline entry page renders it with ``json_script``; ``checks.js`` (``TumbuhChecks.setMessages``)
reads it. Nothing here is written twice: the messages are the very msgids of
``measurements.validation.MESSAGES`` (the confirm step's checks), of ``measurements.actions``
(the growth engine's reasons, "enter the weight or the length/height") and of
``measurements.forms.MeasurementForm`` (the errors of the form's fields, taken from the form's own
fields and validators, already written out in the active language); the status words are
``tumbuh.growth.classify.LABELS`` as the ``status_label`` filter shows them (Indonesian, the
regulation's words, in both languages), their CSS class that of the ``status_class`` filter; the
labels are the msgids of the templates ``measurements/visit_form.html`` and ``visit_confirm.html``;
the thresholds are ``validation``'s constants.

``checks.js`` holds the logic (the order and conditions of the checks), ported from
``validation.check_visit``, ``actions.check_measurement`` and ``MeasurementForm``; the parity tests
(``tumbuh/offline/tests/test_js_checks*.py``) compare it with them on hundreds of visits.
"""

from __future__ import annotations

import datetime as dt

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext, gettext_noop

from tumbuh.growth.classify import ANTHRO_INDICATORS, LABELS
from tumbuh.measurements import validation
from tumbuh.measurements.actions import ENGINE_MESSAGES
from tumbuh.measurements.forms import MeasurementForm
from tumbuh.measurements.models import Child, Position
from tumbuh.measurements.templatetags.measurements import status_class, status_label

#: Bumped when the dict's shape changes (the page may hold an older one in its cache).
VERSION = 1

#: The number inputs of the visit form that the phone has too (``MeasurementForm``'s fields).
NUMBER_FIELDS = ("weight", "lenhei", "muac", "headc")

#: The words of the visit form and its confirm step (their templates' msgids), by key.
LABELS_MSGIDS = {
    # measurements/visit_form.html
    "posyandu_visit": gettext_noop("Posyandu visit"),
    "boy": gettext_noop("boy"),
    "girl": gettext_noop("girl"),
    "born": gettext_noop("born"),
    "date": gettext_noop("Visit date"),
    "weight": gettext_noop("Weight (kg)"),
    "lenhei": gettext_noop("Length/height (cm)"),
    "position": gettext_noop("Measured"),
    "position_help": gettext_noop("Under 24 months: lying (length). From 24 months: standing (height)."),
    "muac": gettext_noop("LiLA (cm)"),
    "headc": gettext_noop("Head circ. (cm)"),
    "optional": gettext_noop("optional"),
    "oedema": gettext_noop("Oedema (swelling of both feet)"),
    "check": gettext_noop("Check"),
    "cancel": gettext_noop("Cancel"),
    # measurements/visit_confirm.html
    "check_the_visit": gettext_noop("Check the visit"),
    "age": gettext_noop("age"),
    "weight_short": gettext_noop("Weight"),
    "head_short": gettext_noop("head"),
    "oedema_short": gettext_noop("oedema"),
    "indicator": gettext_noop("Indicator"),
    "status": gettext_noop("Status (Permenkes 2/2020)"),
    "tbu": gettext_noop("Length/height-for-age (TB/U)"),
    "bbtb": gettext_noop("Weight-for-length/height (BB/TB)"),
    "bbu": gettext_noop("Weight-for-age (BB/U)"),
    "warning_prefix": gettext_noop("Check:"),
    "save_with_warnings": gettext_noop("The values are right: save"),
    "save": gettext_noop("Confirm and save"),
    "change": gettext_noop("Change the values"),
    # the age_text filter
    "age_years_months": gettext_noop("%(years)d y %(months)d m"),
    "age_months": gettext_noop("%(months)d m"),
}

#: What ``check_measurement`` adds to ``check_visit``: "enter the weight, the length/height, or both".
NOTHING_MEASURED = "nothing_measured"


def rules() -> dict:
    """``validation``'s thresholds, so that the phone's checks use the same numbers."""
    v = validation
    return {
        "max_age_days": v.MAX_AGE_DAYS,
        "weight_range": list(v.WEIGHT_RANGE),
        "lenhei_range": list(v.LENHEI_RANGE),
        "muac_range": list(v.MUAC_RANGE),
        "headc_range": list(v.HEADC_RANGE),
        # what a circumference typed in millimetres looks like (validation._CIRCUMFERENCES)
        "muac_mm": list(v._CIRCUMFERENCES["muac"][1]),
        "headc_mm": list(v._CIRCUMFERENCES["headc"][1]),
        "position_correction": v.POSITION_CORRECTION,
        "lying_until_days": v.LYING_UNTIL_DAYS,
        "days_per_month": v.DAYS_PER_MONTH,
        "vitamin_a_from_months": v.VITAMIN_A_FROM_MONTHS,
        "height_decrease_tolerance": v.HEIGHT_DECREASE_TOLERANCE,
        "weight_tolerance": v.WEIGHT_TOLERANCE,
        "weight_gain_per_day": v.WEIGHT_GAIN_PER_DAY,
        "weight_loss_per_day": v.WEIGHT_LOSS_PER_DAY,
        "weight_loss_max_share": v.WEIGHT_LOSS_MAX_SHARE,
    }


def messages() -> dict[str, str]:
    """Every message of the confirm step by its code, translated, with its ``%(name)s``
    placeholders: ``check_visit``'s, the growth engine's reasons, and ``nothing_measured``."""
    out = {code: gettext(msgid) for code, msgid in validation.MESSAGES.items()}
    out.update({code: str(text) for code, text in ENGINE_MESSAGES.items()})
    out[NOTHING_MEASURED] = gettext("Enter the weight, the length/height, or both.")
    return out


def _rendered(error) -> str:
    """A ``ValidationError`` as the form writes it (its message with its params)."""
    return next(iter(error))


def form_rules() -> dict:
    """The errors ``MeasurementForm`` gives before the confirm step, already written out in the
    active language, taken from the form's own fields and validators (in their order)."""
    child = Child(birth_date=dt.date(2000, 1, 1))
    form = MeasurementForm(data={}, child=child, today=dt.date(2000, 1, 1))
    fields: dict[str, list] = {}
    for name in NUMBER_FIELDS:
        field = form.fields[name]
        checks = []
        for v in field.validators:
            if isinstance(v, (django_validators.MaxValueValidator, django_validators.MinValueValidator)):
                params = {"limit_value": v.limit_value, "show_value": v.limit_value, "value": v.limit_value}
                checks.append(
                    {
                        "code": v.code,
                        "limit": str(v.limit_value),
                        "message": _rendered(ValidationError(v.message, v.code, params)),
                    }
                )
            elif isinstance(v, django_validators.DecimalValidator):
                whole = v.max_digits - v.decimal_places
                checks.append(
                    {
                        "code": "decimal",
                        "max_digits": v.max_digits,
                        "decimal_places": v.decimal_places,
                        "messages": {
                            code: _rendered(ValidationError(v.messages[code], code, {"max": n}))
                            for code, n in (
                                ("max_digits", v.max_digits),
                                ("max_decimal_places", v.decimal_places),
                                ("max_whole_digits", whole),
                            )
                        },
                    }
                )
            else:  # a validator checks.js does not know: fail here, not silently on the phone
                raise TypeError(f"checks.js has no port of {type(v).__name__} ({name})")
        fields[name] = {"required": field.required, "checks": checks}
    date = form.fields["date"]
    return {
        "fields": fields,
        "required": str(date.error_messages["required"]),
        "date_required": date.required,
        "position_required": form.fields["position"].required,
        "position_required_message": str(form.fields["position"].error_messages["required"]),
        "invalid_date": str(date.error_messages["invalid"]),
        "invalid_number": gettext("Enter a number, e.g. 9,5."),
        "visit_date_future": gettext("The visit date is in the future."),
        "visit_date_before_birth": gettext("The visit date is before the birth date."),
        NOTHING_MEASURED: gettext("Enter the weight, the length/height, or both."),
    }


def status_words() -> dict[str, dict[str, str]]:
    """indicator → code → the words the confirm step shows (the ``status_label`` filter)."""
    return {ind: {code: status_label(code, ind) for code in LABELS[ind]} for ind in ANTHRO_INDICATORS}


def status_classes() -> dict[str, str]:
    """code → the CSS class the confirm step gives it (the ``status_class`` filter)."""
    codes = {code for ind in ANTHRO_INDICATORS for code in LABELS[ind]}
    return {code: status_class(code) for code in sorted(codes)}


def phone_texts() -> dict:
    """Everything ``checks.js`` needs, in the active language (see the module's docstring)."""
    language = translation.get_language() or "id"
    return {
        "version": VERSION,
        "language": language,
        "numbers": {
            "decimal_separator": get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            "thousand_separator": get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
            "grouping": int(get_format("NUMBER_GROUPING", language, use_l10n=True) or 3),
        },
        # the messages write every date so (validation: f"{date:%d/%m/%Y}"), in both languages
        "date_format": "dd/mm/yyyy",
        "empty": "—",
        "rules": rules(),
        "messages": messages(),
        "engine_codes": list(ENGINE_MESSAGES),
        "indicators": {name: gettext(msgid) for name, msgid in validation.FLAG_FIELDS.items()},
        "form": form_rules(),
        "status": status_words(),
        "status_class": status_classes(),
        "positions": {value: str(label) for value, label in Position.choices},
        "labels": {key: gettext(msgid) for key, msgid in LABELS_MSGIDS.items()},
    }
