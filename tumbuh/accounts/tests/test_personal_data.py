"""The contract of personal rows: every scoped model says whether its rows are personal data of
children, families or people (``personal_data``), and a model whose fields look personal (a
name, a NIK, a birth date, an address, a phone …) is either declared personal or says why not
(``personal_data_reason``). The province reads none of the personal ones (``policy.py``)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

from tumbuh.accounts import policy

#: Field names that look like a person's details.
PERSONAL_LOOKING = re.compile(
    r"(^|_)(name|nik|nip|kk|birth|born|address|phone|email|contact|rt|rw|mother|father|parent|payload)(_|$)"
)


def scoped_models():
    return [m for m in apps.get_models() if getattr(m, "scope_path", None) is not None]


def personal_looking_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if PERSONAL_LOOKING.search(f.name)]


@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m._meta.label)
def test_every_scoped_model_says_whether_its_rows_are_personal(model):
    assert "personal_data" in {k for cls in model.__mro__ for k in vars(cls)}, (
        f"{model._meta.label}: declare personal_data = True (rows of children, families or people) or False"
    )
    assert model.personal_data in (True, False, "attachment"), model._meta.label


@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m._meta.label)
def test_a_model_with_personal_looking_fields_is_personal_or_says_why_not(model):
    fields = personal_looking_fields(model)
    if not fields or policy.personal_kind(model) is not False:
        return
    reason = getattr(model, "personal_data_reason", "")
    assert isinstance(reason, str) and len(reason.strip()) > 10, (
        f"{model._meta.label} has {fields} but is declared not personal without a reason "
        "(personal_data_reason), or declare personal_data = True"
    )


def test_the_contract_catches_a_new_model_with_a_name_and_a_nik():
    from django.db import models

    class Pregnancy(models.Model):
        mother_name = models.CharField(max_length=100)
        nik = models.CharField(max_length=16)
        scope_path = "desa"
        personal_data = False

        class Meta:
            app_label = "measurements"
            managed = False

        def __str__(self):
            return self.mother_name

    try:
        assert personal_looking_fields(Pregnancy) == ["mother_name", "nik"]
        with pytest.raises(AssertionError, match="without a reason"):
            test_a_model_with_personal_looking_fields_is_personal_or_says_why_not(Pregnancy)
    finally:
        apps.all_models["measurements"].pop("pregnancy", None)
        apps.clear_cache()


def test_children_families_and_people_are_personal():
    personal = {m._meta.label for m in policy.personal_models()}
    assert {
        "measurements.Child", "measurements.Measurement", "imports.ImportBatch", "krs.Family", "krs.FamilyChild",
        "krs.TpkVisit", "genting.FosterMatch", "genting.FosterParent", "offline.OfflineRecord",
        "pooling.PooledVisit", "audit.AuditLog", "accounts.User", "konvergensi_desa.ScorecardTarget",
    } <= personal  # fmt: skip
    figures = {"dashboards.AreaAggregate", "dashboards.QualityAggregate", "dashboards.DistrictTarget",
               "dashboards.SurveyFigure", "rembuk.RembukEvent", "rapat.Rapat", "rencana.Activity",
               "reviu.AnnualReview", "semester.SemesterReport", "tpps.Tpps", "indikator.Coverage",
               "aksi.ActionYear", "organisation.Posyandu"}  # fmt: skip
    assert not figures & personal
