"""Import pages, names to confirm, background runs, the command line and who may do what."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.imports.framework import create_batch, run_import, store_source
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import csv_bytes, read_xlsx
from tumbuh.measurements.models import Child, NameMapping
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db


def upload(client, rows, name="eppgbm.csv"):
    data = csv_bytes(rows)
    data.name = name
    return client.post(reverse("measurement_imports:upload"), {"file": data})


def test_a_district_admin_uploads_and_sees_the_summary(client, alice):
    client.force_login(alice)
    assert client.get(reverse("measurement_imports:upload")).status_code == 200
    response = upload(client, export(row(name="Laman Satu"), row(name="Laman Dua", height="845")))
    batch = ImportBatch.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert batch.status == BatchStatus.DONE and (batch.created, batch.rejected) == (1, 1)
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"import-summary" in page.content and b"rejected-link" in page.content
    # The generic import pages send e-PPGBM to these pages.
    assert client.get(reverse("imports:batch", args=[batch.pk]))["Location"] == response["Location"]
    assert client.get(reverse("imports:upload", args=["eppgbm"]))["Location"] == reverse("measurement_imports:upload")
    assert client.get(reverse("imports:rejected", args=[batch.pk])).status_code == 200


def test_a_puskesmas_officer_imports_for_their_own_desa_only(client, demo_users):
    pkm = demo_users["pkm.malili"]
    client.force_login(pkm)
    response = upload(
        client, export(row(name="Anak Harapan"), row(name="Anak Balantang", desa="Balantang", posyandu=""))
    )
    batch = ImportBatch.objects.get(created_by=pkm)
    assert response.status_code == 302 and batch.created == 1 and batch.rejected == 1
    reason = batch.rejected_rows.get().reason
    assert reason == "This row cannot be imported into your area"
    assert client.get(reverse("measurement_imports:batch", args=[batch.pk])).status_code == 200


def test_who_may_import_and_see_a_batch(client, alice, bob, charlie, demo_users):
    client.force_login(alice)
    upload(client, export(row(name="Rahasia Lutim")))
    batch = ImportBatch.objects.filter(kind="eppgbm", created_by=alice).latest("pk")
    url = reverse("measurement_imports:batch", args=[batch.pk])
    client.force_login(bob)  # desa operator
    assert client.get(reverse("measurement_imports:upload")).status_code == 403
    assert upload(client, export(row(name="Tidak Boleh"))).status_code == 403
    assert client.get(url).status_code == 404
    client.force_login(charlie)  # another district's admin
    assert client.get(url).status_code == 404
    assert client.get(reverse("imports:rejected", args=[batch.pk])).status_code == 404
    client.force_login(demo_users["pkm.malili"])  # not their batch
    assert client.get(url).status_code == 404
    client.force_login(demo_users["pantau.lutim"])  # viewer
    assert client.get(reverse("measurement_imports:upload")).status_code == 403


def test_an_unknown_name_is_proposed_confirmed_once_and_remembered(client, alice):
    client.force_login(alice)
    rows = export(
        row(name="Nama Mirip", posyandu="Posy. Melatih"), row(name="Nama Mirip Dua", posyandu="Posy. Melatih")
    )
    first = ImportBatch.objects.get(pk=upload(client, rows)["Location"].rstrip("/").split("/")[-1])
    assert first.rejected == 2 and "did you mean" in first.rejected_rows.first().reason
    [entry] = first.findings["unmatched"]
    assert entry["kind"] == "posyandu" and entry["rows"] == 2 and entry["proposal_name"].endswith("Melati")
    page = client.get(reverse("measurement_imports:batch", args=[first.pk]))
    assert b"unmatched-names" in page.content
    response = client.post(reverse("measurement_imports:confirm_names", args=[first.pk]), {"map-0": entry["proposal"]})
    rerun = ImportBatch.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert rerun.findings["rerun_of"] == first.pk and (rerun.created, rerun.rejected) == (2, 0)
    mapping = NameMapping.objects.get(kabupaten_id="73.24", kind="posyandu", source_text="Posy. Melatih")
    assert mapping.target == entry["proposal"]
    # The next import uses the remembered name without asking.
    later = run_import(
        "eppgbm",
        user=alice,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=csv_bytes(export(row(name="Nama Mirip Tiga", posyandu="Posy. Melatih"))),
        file_name="lagi.csv",
    )
    assert later.created == 1 and not later.findings["unmatched"]
    assert Child.objects.get(name="Nama Mirip Tiga").measurements.get().posyandu_id == int(entry["proposal"])


def test_a_large_file_is_queued_and_its_page_polls_progress(client, alice, settings):
    settings.TUMBUH_IMPORT_INLINE_BYTES = 10  # every file goes to the background
    started = []
    from tumbuh.imports import background

    monkey = pytest.MonkeyPatch()
    # The worker process itself is tested in tumbuh/imports/tests/test_queue.py.
    monkey.setattr(background, "spawn_worker", lambda: started.append("worker"))
    try:
        client.force_login(alice)
        response = upload(client, export(row(name="Latar Belakang")))
        batch = ImportBatch.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
        assert batch.status == BatchStatus.QUEUED and started == ["worker"]
        page = client.get(response["Location"]).content.decode()
    finally:
        monkey.undo()
    assert 'hx-trigger="every 2s"' in page and "hx-get" in page and 'data-testid="import-queue"' in page
    # The worker (here run in-process) processes it; the poll then reloads the page.
    call_command("run_import", str(batch.pk), stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.created == 1 and batch.rows_done >= 1
    poll = client.get(reverse("measurement_imports:progress", args=[batch.pk]))
    assert poll["HX-Refresh"] == "true"


def test_the_command_prints_the_summary_and_writes_rejected_rows_beside_the_file(alice, tmp_path):
    path = tmp_path / "februari.csv"
    path.write_bytes(
        csv_bytes(export(row(name="Baris Perintah"), row(name="Baris Perintah Dua", weight="11200"))).getvalue()
    )
    out = io.StringIO()
    call_command("import-measurements", str(path), "--user", alice.username, "--no-progress", stdout=out)
    assert "1" in out.getvalue() and (tmp_path / "februari-ditolak.xlsx").exists()
    sheet = read_xlsx((tmp_path / "februari-ditolak.xlsx").read_bytes())
    assert sheet[1][0] == "" or sheet[1][1] == "Baris Perintah Dua"
    dry = io.StringIO()
    call_command("import_measurements", str(path), "--user", alice.username, "--dry-run", "--no-progress", stdout=dry)
    assert Child.objects.filter(name="Baris Perintah").count() == 1


def test_a_queued_batch_keeps_its_file_and_a_puskesmas_batch_is_visible_to_its_officer_only(demo_users):
    pkm = demo_users["pkm.malili"]
    batch = store_source(
        create_batch("eppgbm", user=pkm, kabupaten=Wilayah.objects.get(code="73.24"), file_name="x.csv"),
        csv_bytes(export(row(name="Antri"))),
    )
    assert batch.status == BatchStatus.QUEUED and batch.source and batch.rows_total == 2
    assert policy.is_visible(pkm, batch) and policy.can(pkm, policy.VIEW, batch)
    assert not policy.can(demo_users["desa.balantang"], policy.VIEW, batch)
    assert set(policy.visible(pkm, ImportBatch.objects.all())) == set(ImportBatch.objects.filter(created_by=pkm))


def test_a_failed_e_ppgbm_batch_runs_again_from_its_page(client, alice, settings, tmp_path):
    """A batch whose worker vanished (here: a pid that has ended) is shown failed with the reason
    on the e-PPGBM batch page, which offers to run the stored file again."""
    import subprocess

    from django.utils import timezone

    from tumbuh.imports.progress import worker_name

    settings.VAR_DIR = tmp_path
    gone = subprocess.Popen(["true"])
    gone.wait()
    batch = store_source(
        create_batch("eppgbm", user=alice, kabupaten=Wilayah.objects.get(code="73.24"), file_name="x.csv"),
        csv_bytes(export(row(name="Mati Suri"))),
    )
    host = worker_name().partition("@")[2]
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING, worker=f"{gone.pid}@{host}", heartbeat_at=timezone.now()
    )
    client.force_login(alice)
    page = client.get(reverse("measurement_imports:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Proses impor terhenti sebelum selesai" in page and 'data-testid="rerun-form"' in page
    assert not Child.objects.filter(name="Mati Suri").exists()
    response = client.post(reverse("imports:rerun", args=[batch.pk]))
    again = ImportBatch.objects.get(retry_of=batch)
    assert response["Location"] == reverse("measurement_imports:batch", args=[again.pk])
    assert again.status == BatchStatus.DONE and Child.objects.filter(name="Mati Suri").count() == 1
