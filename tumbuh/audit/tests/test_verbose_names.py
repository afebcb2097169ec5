"""Every field of every Tumbuh model has a name an inspector reads on the Indonesian audit log:
given (never Django's default, the field's name with spaces for underscores) and translated.

``audit.display`` names the fields of a row by their ``verbose_name``, so a field without one
shows as ``created at`` or ``eppgbm zlen``, and one without an Indonesian msgstr in English."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from tumbuh.audit import display

#: Names that read the same in both languages, so their Indonesian text may equal the English one
#: (and the field's own name). Nothing else may.
SAME_IN_BOTH = {
    # The domain words of the glossary (docs/architecture.md): Indonesian in the English UI too.
    "desa": "a domain word (naming rule)",
    "posyandu": "a domain word (naming rule)",
    "puskesmas": "a domain word (naming rule)",
    "kecamatan": "a domain word (naming rule)",
    "rembuk stunting": "a domain word (naming rule)",
    "opd pembina desa": "a domain word (naming rule)",
    # Abbreviations written alike in both languages.
    "id": "Django's own name of a primary key, an abbreviation in both languages",
    "nik": "an abbreviation (Nomor Induk Kependudukan) in both languages",
    "rt": "an abbreviation (rukun tetangga) in both languages",
    "rw": "an abbreviation (rukun warga) in both languages",
    "opd": "an abbreviation (Organisasi Perangkat Daerah) in both languages",
    "tpps": "an abbreviation (Tim Percepatan Penurunan Stunting) in both languages",
    "tpk": "an abbreviation (Tim Pendamping Keluarga) in both languages",
    "kpm": "an abbreviation (Kader Pembangunan Manusia) in both languages",
    # Words spelled alike in English and Indonesian.
    "status": "the same word in Indonesian",
    "semester": "the same word in Indonesian",
    "volume": "the same word in Indonesian",
}


def _tumbuh_models():
    return [m for m in apps.get_models() if m.__module__.startswith("tumbuh.")]


def _fields(model):
    return [*model._meta.concrete_fields, *model._meta.local_many_to_many]


def _label(model, name: str, language: str) -> str:
    """The field's name as the audit log shows it in ``language``."""
    with translation.override(language):
        return display._field_label(model, name)


def _names(value) -> tuple[str, str]:
    with translation.override("id"):
        indonesian = str(value)
    with translation.override("en"):
        english = str(value)
    return indonesian, english


def test_the_allow_list_is_short():
    assert len(SAME_IN_BOTH) <= 20


def test_every_field_has_a_translated_verbose_name():
    """As the log names it (``display._field_label``): given, so never the field's raw name with
    spaces for underscores (Django's default), unless the word reads the same in both languages;
    and in Indonesian, so different from the English name unless the word reads the same in both.
    A field named in Indonesian by the naming rule (``jamban_tidak_layak``) may be labelled with
    its own name in Indonesian, as long as its English name differs."""
    missing, untranslated = [], []
    for model in _tumbuh_models():
        for f in _fields(model):
            raw = f.name.replace("_", " ")
            indonesian, english = _label(model, f.name, "id"), _label(model, f.name, "en")
            same = indonesian.casefold() in SAME_IN_BOTH
            default = isinstance(f.verbose_name, str) and f.verbose_name == raw  # Django's, from the name
            if (default or (indonesian.casefold() == raw.casefold() and english == indonesian)) and not same:
                missing.append(f"{model._meta.label}.{f.name}")
            elif indonesian == english and not same:
                untranslated.append(f"{model._meta.label}.{f.name}: {indonesian!r}")
    assert not missing, f"fields without a verbose_name: {missing}"
    assert not untranslated, f"verbose names without an Indonesian translation: {untranslated}"


def test_every_model_has_a_translated_verbose_name():
    untranslated = []
    for model in _tumbuh_models():
        for value in (model._meta.verbose_name, model._meta.verbose_name_plural):
            indonesian, english = _names(value)
            if indonesian == english and indonesian.casefold() not in SAME_IN_BOTH:
                untranslated.append(f"{model._meta.label}: {indonesian!r}")
    assert not untranslated, f"model names without an Indonesian translation: {untranslated}"


@pytest.mark.parametrize(
    "label, field",
    [
        ("dashboards.AreaAggregate", "eb_r"),
        ("measurements.Measurement", "flen"),
        ("measurements.Measurement", "eppgbm_zlen"),
        ("rembuk.RembukEvent", "created_by"),
        ("reviu.AnnualReview", "created_by"),
        ("rapat.Rapat", "created_by"),
    ],
)
def test_the_named_fields_read_in_indonesian(label, field):
    """The fields issue 14 found raw on the log."""
    model = apps.get_model(label)
    indonesian, english = _label(model, field, "id"), _label(model, field, "en")
    assert indonesian != english
    assert "_" not in indonesian and indonesian.casefold() != field.replace("_", " ")
