"""The one edit view (``core.editing.edit``) and the one way to show errors on a form."""

import dataclasses

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.core.editing import add_errors
from tumbuh.dashboards import views as dashboard_views
from tumbuh.dashboards.forms import SurveyFigureForm
from tumbuh.dashboards.models import SurveyFigure
from tumbuh.organisation import views as organisation_views
from tumbuh.organisation.forms import PosyanduForm
from tumbuh.organisation.models import Posyandu, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db

OUTSIDE = "Perubahan itu akan menempatkannya di luar wilayah Anda."  # "That would place it outside your area."
LUWU_DESA = "73.17.01.2005"


class AnyDesaPosyanduForm(PosyanduForm):
    """A posyandu form that offers every desa and puskesmas, as a careless form might: the edit view must
    still keep the posyandu inside the user's area."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].queryset = Wilayah.objects.filter(level=Level.DESA)
        self.fields["puskesmas"].queryset = Puskesmas.objects.all()


class AnyKabupatenSurveyForm(SurveyFigureForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kabupaten"].queryset = Wilayah.objects.filter(level=Level.KABUPATEN)


def _posyandu_data(posyandu, **changes):
    data = {
        "name": posyandu.name,
        "code": posyandu.code,
        "desa": posyandu.desa_id,
        "puskesmas": posyandu.puskesmas_id or "",
        "address": posyandu.address,
        "is_active": "on",
        "reason": "uji",
    }
    return {**data, **changes}


@pytest.fixture
def any_desa(monkeypatch):
    kind = organisation_views.KINDS["posyandu"]
    monkeypatch.setitem(organisation_views.KINDS, "posyandu", dataclasses.replace(kind, form=AnyDesaPosyanduForm))


def test_a_change_that_would_move_the_object_out_of_the_area_is_a_form_error(client, alice, any_desa):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2001").first()
    logged = AuditLog.objects.count()
    client.force_login(alice)
    with translation.override("id"):
        response = client.post(
            reverse("organisation:edit", args=["posyandu", posyandu.pk]),
            _posyandu_data(posyandu, desa=LUWU_DESA, puskesmas=Puskesmas.objects.filter(desa=LUWU_DESA).first().pk),
            HTTP_ACCEPT_LANGUAGE="id",
        )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [OUTSIDE]
    assert OUTSIDE in response.content.decode()
    posyandu.refresh_from_db()
    assert posyandu.desa_id == "73.24.04.2001"
    assert AuditLog.objects.count() == logged


def test_a_change_inside_the_area_is_saved_audited_and_returns_to_the_list(client, alice, any_desa):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2001").first()
    client.force_login(alice)
    response = client.post(
        reverse("organisation:edit", args=["posyandu", posyandu.pk]),
        _posyandu_data(posyandu, name="Posyandu Baru", reason="nama diperbaiki"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("organisation:list", args=["posyandu"])
    posyandu.refresh_from_db()
    assert posyandu.name == "Posyandu Baru"
    entry = AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("id")
    assert (entry.action, entry.reason, entry.actor) == ("update", "nama diperbaiki", alice)


def test_adding_a_figure_for_another_district_is_a_form_error(client, alice, monkeypatch):
    monkeypatch.setattr(dashboard_views, "SurveyFigureForm", AnyKabupatenSurveyForm)
    client.force_login(alice)
    data = {
        "kabupaten": "73.17",
        "year": 2022,
        "survey": "SSGI",
        "indicator": "stunting",
        "prevalence": "30.1",
        "source": "uji",
    }
    with translation.override("id"):
        response = client.post(reverse("dashboards:survey_add"), data, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200 and response.context["form"].non_field_errors() == [OUTSIDE]
    assert not SurveyFigure.objects.filter(kabupaten_id="73.17").exists()
    response = client.post(reverse("dashboards:survey_add"), {**data, "kabupaten": "73.24"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:surveys")
    assert SurveyFigure.objects.filter(kabupaten_id="73.24", year=2022).exists()


def test_a_user_who_may_only_look_sees_the_form_disabled_and_may_not_post(client, demo_users):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2001").first()
    client.force_login(demo_users["camat.malili"])
    url = reverse("organisation:edit", args=["posyandu", posyandu.pk])
    response = client.get(url)
    assert response.status_code == 200 and not response.context["can_change"] and not response.context["can_delete"]
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert client.post(url, _posyandu_data(posyandu, name="X")).status_code == 403


class _Form(forms.Form):
    name = forms.CharField(label="Name", required=False)
    code = forms.CharField(label="Code", required=False, widget=forms.HiddenInput)


def test_add_errors_places_an_error_on_its_field_or_above_the_form():
    form = _Form({"name": "a", "code": "b"})
    assert form.is_valid()
    add_errors(form, ValidationError({"name": "Too short.", "year": "Not this year."}))
    add_errors(form, ValidationError("Not allowed."))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not this year.", "Not allowed."]


def test_the_form_errors_include_lists_the_errors_not_shown_beside_a_field():
    form = _Form({"name": "a", "code": "b"})
    form.is_valid()
    assert render_to_string("core/_form_errors.html", {"form": form}).strip() == ""
    add_errors(form, ValidationError({"code": "Unknown code.", "name": "Too short."}))
    add_errors(form, ValidationError("Not allowed."))
    plain = render_to_string("core/_form_errors.html", {"form": form})
    assert 'class="errorlist nonfield"' in plain and "<li>Not allowed.</li>" in plain and "Too short." not in plain
    labelled = render_to_string("core/_form_errors.html", {"form": form, "labelled": True})
    assert (
        "<li>Not allowed.</li>" in labelled
        and "<li>Name: Too short.</li>" in labelled
        and "<li>Code: Unknown code.</li>" in labelled
    )
