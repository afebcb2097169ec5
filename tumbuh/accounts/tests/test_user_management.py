import pytest
from django.urls import reverse

from tumbuh.accounts.models import User
from tumbuh.audit.models import AuditLog

NEW_USER = {
    "username": "desa.harapan",
    "full_name": "Operator Desa Harapan",
    "email": "",
    "phone": "0812",
    "role": "desa",
    "wilayah": "73.24.04.2001",
    "is_active": "on",
    "new_password": "Sagu-Malili-2026",
    "reason": "operator baru",
}


@pytest.mark.django_db
def test_a_district_admin_adds_a_desa_operator(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:user_add"), NEW_USER)
    assert response.status_code == 302
    user = User.objects.get(username="desa.harapan")
    assert user.password.startswith("argon2") and user.check_password("Sagu-Malili-2026")
    entry = AuditLog.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.actor == alice and entry.reason == "operator baru" and entry.after["password"] == "••••"


@pytest.mark.django_db
def test_an_admin_cannot_place_a_user_in_another_district(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:user_add"), {**NEW_USER, "wilayah": "73.17.01.2001"})
    assert response.status_code == 200
    assert "wilayah" in response.context["form"].errors
    assert not User.objects.filter(username="desa.harapan").exists()


@pytest.mark.django_db
def test_a_role_must_sit_at_its_level(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:user_add"), {**NEW_USER, "wilayah": "73.24.04"})
    assert response.status_code == 200
    assert "wilayah" in response.context["form"].errors


@pytest.mark.django_db
def test_a_weak_password_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:user_add"), {**NEW_USER, "new_password": "12345678"})
    assert "new_password" in response.context["form"].errors


@pytest.mark.django_db
def test_other_districts_users_are_not_found(client, alice, charlie):
    client.force_login(alice)
    assert client.get(reverse("accounts:user_edit", args=[charlie.pk])).status_code == 404
    listed = {u.username for u in client.get(reverse("accounts:user_list")).context["users"]}
    assert "admin.luwu" not in listed and "desa.balantang" in listed
