"""Uploaded files: scoped, audited, served only through the policy."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.documents.actions import do_attach
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import pdf_bytes, pdf_upload
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = None


def _pdf(name="ba.pdf"):
    return pdf_upload(name, note="signed scan")


def _desa_of(user):
    return Wilayah.objects.get(pk=user.wilayah_id)


def test_attach_is_audited_and_downloadable_inside_the_node_only(client, alice, bob, charlie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    desa = _desa_of(bob)
    doc = do_attach(
        bob, desa, file=_pdf(), kind="evidence", title="Foto kegiatan", wilayah_code=desa.code, reason="bukti"
    )
    log = AuditLog.objects.get(object_type="documents.uploadeddocument", object_id=str(doc.pk))
    assert log.actor == bob and log.reason == "bukti"
    assert list(UploadedDocument.for_object(desa)) == [doc]

    client.force_login(alice)
    response = client.get(f"/dokumen/berkas/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes("signed scan")
    client.force_login(charlie)  # Luwu's admin: another district
    assert client.get(f"/dokumen/berkas/{doc.pk}/").status_code == 404


def test_attach_outside_the_node_or_wrong_kind_is_refused(bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other = Wilayah.objects.filter(level=4, kabupaten_code="73.24").exclude(pk=bob.wilayah_id).first()
    with pytest.raises(PermissionDenied):
        do_attach(bob, other, file=_pdf(), kind="evidence", title="x", wilayah_code=other.code)
    with pytest.raises(ValidationError):
        do_attach(
            bob,
            _desa_of(bob),
            file=SimpleUploadedFile("x.exe", b"MZ"),
            kind="evidence",
            title="x",
            wilayah_code=bob.wilayah_id,
        )
    assert not UploadedDocument.objects.filter(title="x").exists()  # apps' demo data may hold other documents


def test_apps_declare_their_own_rules():
    from tumbuh.documents.models import Letterhead

    assert policy.rules()[Letterhead][policy.CHANGE] is policy.district_admin


def test_a_district_file_reaches_the_desa_below_but_a_desa_file_not_its_neighbour(
    client, alice, bob, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    district = Wilayah.objects.get(pk="73.24")
    perbup = do_attach(
        alice, district, file=_pdf("perbup.pdf"), kind="regulation", title="Perbup", wilayah_code="73.24"
    )
    neighbour = Wilayah.objects.filter(level=4, kabupaten_code="73.24").exclude(pk=bob.wilayah_id).first()
    evidence = do_attach(
        alice, neighbour, file=_pdf("bukti.pdf"), kind="evidence", title="Bukti", wilayah_code=neighbour.code
    )
    client.force_login(bob)
    assert client.get(f"/dokumen/berkas/{perbup.pk}/").status_code == 200
    assert client.get(f"/dokumen/berkas/{evidence.pk}/").status_code == 404
