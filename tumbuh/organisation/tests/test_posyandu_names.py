"""A posyandu is named with its desa wherever it is listed, and the new-posyandu form offers
the puskesmas that serve the desa chosen.

Demo facts (Luwu Timur, Kecamatan Malili 73.24.04): Puskesmas Malili (P7324040101) serves
Desa Harapan (2001); Puskesmas Lakawali (P7324040201) serves Desa Balantang (2010)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.shortcuts import resolve_url
from django.utils import translation

from tumbuh.audit.actions import do_save
from tumbuh.audit.models import AuditLog
from tumbuh.organisation.forms import PosyanduForm
from tumbuh.organisation.models import Posyandu, Puskesmas, posyandu_label, posyandu_labels

pytestmark = pytest.mark.django_db

HARAPAN, BALANTANG, LUWU_DESA = "73.24.04.2001", "73.24.04.2010", "73.17.01.2005"
MALILI, LAKAWALI = "P7324040101", "P7324040201"
TWIN = "Posyandu Kembar"
URL = "/organisasi/posyandu/pilihan-puskesmas/"


@pytest.fixture
def twins(alice):
    return [
        do_save(alice, Posyandu(name=TWIN, desa_id=desa, puskesmas=Puskesmas.objects.get(code=pkm)), reason="uji")
        for desa, pkm in ((HARAPAN, MALILI), (BALANTANG, LAKAWALI))
    ]


def _options(html: str) -> dict[str, str]:
    """{value: text} of the options of the first select in ``html``."""
    return {v: t.strip() for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)}


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"[^>]*selected', html)


# ---------------------------------------------------------------- the name


def test_a_posyandu_is_named_with_its_desa_and_where_it_helps_its_puskesmas(twins):
    harapan, balantang = twins
    assert str(harapan) == harapan.label == f"{TWIN} — Desa Harapan"
    assert str(balantang) == f"{TWIN} — Desa Balantang"
    assert harapan.full_label == f"{TWIN} — Desa Harapan (Puskesmas Malili)"
    # Many at once (rows that carry only ids): the puskesmas too when they are several.
    assert posyandu_labels([harapan.pk, balantang.pk]) == {
        harapan.pk: f"{TWIN} — Desa Harapan (Puskesmas Malili)",
        balantang.pk: f"{TWIN} — Desa Balantang (Puskesmas Lakawali)",
    }
    assert posyandu_labels([harapan.pk]) == {harapan.pk: f"{TWIN} — Desa Harapan"}
    assert posyandu_labels([harapan.pk], with_puskesmas=True) == {harapan.pk: harapan.full_label}
    assert posyandu_label("Anggrek", "") == "Anggrek"


def test_a_select_of_posyandu_tells_namesakes_apart(twins):
    class Pick(forms.Form):
        posyandu = forms.ModelChoiceField(Posyandu.objects.filter(name=TWIN))

    options = _options(str(Pick()["posyandu"]))
    assert sorted(t for v, t in options.items() if v) == [f"{TWIN} — Desa Balantang", f"{TWIN} — Desa Harapan"]


def test_the_edit_page_the_delete_question_and_the_audit_log_name_the_desa(client, alice, twins):
    harapan = twins[0]
    client.force_login(alice)
    with translation.override("id"):
        html = client.get(f"/organisasi/posyandu/{harapan.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert f"<h1>{TWIN} — Desa Harapan</h1>" in html
        html = client.get(f"/organisasi/posyandu/{harapan.pk}/hapus/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert f"{TWIN} — Desa Harapan?" in html
    logged = AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(harapan.pk)).latest("id")
    assert logged.object_repr == f"{TWIN} — Desa Harapan"


# ---------------------------------------------------------------- the puskesmas offered


def test_the_new_posyandu_form_offers_the_users_puskesmas_until_a_desa_is_chosen(client, alice, demo_users):
    client.force_login(alice)
    html = client.get("/organisasi/posyandu/baru/").content.decode()
    select = html.split('name="puskesmas"')[1].split("</select>")[0]
    offered = {Puskesmas.objects.get(pk=int(v)).kecamatan_id[:5] for v in _options(select) if v}
    assert offered == {"73.24"}  # the district's puskesmas, none of Luwu's
    desa = re.search(r'<select name="desa"[^>]*>', html)[0]
    assert f'hx-get="{URL}"' in desa and 'hx-target="#id_puskesmas"' in desa
    # A puskesmas officer is offered their own puskesmas only.
    client.force_login(demo_users["pkm.malili"])
    html = client.get("/organisasi/posyandu/baru/").content.decode()
    select = html.split('name="puskesmas"')[1].split("</select>")[0]
    assert [t for v, t in _options(select).items() if v] == ["Puskesmas Malili"]


def test_choosing_a_desa_offers_the_puskesmas_that_serve_it(client, alice):
    lakawali, malili = Puskesmas.objects.get(code=LAKAWALI), Puskesmas.objects.get(code=MALILI)
    client.force_login(alice)
    html = client.get(URL, {"desa": BALANTANG}, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith("<select") and 'id="id_puskesmas"' in html and 'name="puskesmas"' in html
    assert [v for v in _options(html) if v] == [str(lakawali.pk)]
    assert _selected(html) == [str(lakawali.pk)]  # the only one, chosen
    # The puskesmas already chosen stays when it serves the new desa, and goes when it does not.
    html = client.get(URL, {"desa": HARAPAN, "puskesmas": malili.pk}).content.decode()
    assert _selected(html) == [str(malili.pk)]
    html = client.get(URL, {"desa": BALANTANG, "puskesmas": malili.pk}).content.decode()
    assert _selected(html) == [str(lakawali.pk)]
    # A desa outside the user's area narrows nothing and shows nothing of it.
    html = client.get(URL, {"desa": LUWU_DESA}).content.decode()
    assert len([v for v in _options(html) if v]) > 2
    assert not Puskesmas.objects.filter(
        pk__in=[int(v) for v in _options(html) if v], kecamatan__kabupaten_code="73.17"
    ).exists()


def test_the_choices_endpoint_needs_a_login(client, settings):
    response = client.get(URL, {"desa": BALANTANG})
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_without_javascript_a_mismatch_is_refused_with_the_reason_and_the_right_choices(client, alice):
    lakawali, malili = Puskesmas.objects.get(code=LAKAWALI), Puskesmas.objects.get(code=MALILI)
    client.force_login(alice)
    with translation.override("id"):
        response = client.post(
            "/organisasi/posyandu/baru/",
            {"name": "Posyandu Salah", "desa": BALANTANG, "puskesmas": malili.pk, "is_active": "on"},
            HTTP_ACCEPT_LANGUAGE="id",
        )
    assert response.status_code == 200 and not Posyandu.objects.filter(name="Posyandu Salah").exists()
    html = response.content.decode()
    assert "Puskesmas ini tidak melayani desa yang dipilih." in html
    select = html.split('name="puskesmas"')[1].split("</select>")[0]
    assert [v for v in _options(select) if v] == [str(lakawali.pk)]
    response = client.post(
        "/organisasi/posyandu/baru/",
        {"name": "Posyandu Benar", "desa": BALANTANG, "puskesmas": lakawali.pk, "is_active": "on"},
    )
    assert response.status_code == 302 and Posyandu.objects.get(name="Posyandu Benar").puskesmas == lakawali


def test_editing_a_posyandu_offers_the_puskesmas_of_its_desa(alice, twins):
    form = PosyanduForm(instance=twins[1], actor=alice)
    assert [t for v, t in _options(str(form["puskesmas"])).items() if v] == ["Puskesmas Lakawali"]
