"""The audit log reads in an inspector's words (audit/display.py): verbose names, related objects
by name, years without a thousands separator, choices by label, Ya/Tidak, dates in words, JSON
as "key: value" lines. Applied when the page is shown, so rows written before read the same."""

import html
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role, User
from tumbuh.audit import display
from tumbuh.audit.actions import do_save
from tumbuh.audit.models import AuditLog
from tumbuh.audit.renames import rewrite_history
from tumbuh.konvergensi_desa import scorecard
from tumbuh.konvergensi_desa.models import ScorecardTarget
from tumbuh.organisation.models import Posyandu, Puskesmas

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


def _old_row(object_type, object_id, action="update", before=None, after=None, actor=None, reason="lama"):
    """A row as an earlier Tumbuh wrote it: what is stored, nothing of today's display."""
    return AuditLog.objects.create(
        actor=actor,
        actor_name=str(actor or "sistem"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr="Objek lama",
        wilayah_code=BALANTANG,
        before=before,
        after=after,
        reason=reason,
    )


def _rows(response) -> dict[str, str]:
    """{reason: the row's text} of the log's table, tags stripped, one line per change."""
    table = re.search(r'data-testid="audit-list">(.*?)</table>', response.content.decode(), re.S).group(1)
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", cells[2] + "\n" + cells[3].replace("</div>", "\n")))
        out.setdefault(html.unescape(re.sub(r"<[^>]+>", "", cells[4])).strip(), re.sub(r"[ \t]+", " ", text))
    return out


@pytest.fixture
def examples(alice):
    """The issue's examples: a posyandu made inactive and moved back to Puskesmas Lakawali (pk 7
    in the demo), an old row that set a posyandu's puskesmas from nothing, a scorecard row of
    2025 with a JSON answer, a visit's date, a puskesmas since deleted and one of another district."""
    posyandu = Posyandu.objects.filter(desa_id=BALANTANG).select_related("puskesmas").first()
    served = posyandu.puskesmas
    other = Puskesmas.objects.get(name="Puskesmas Malili")
    posyandu.puskesmas, posyandu.is_active = other, True
    do_save(alice, posyandu, reason="persiapan", validate=False)  # Malili does not serve Balantang: the setup only
    posyandu.puskesmas, posyandu.is_active = served, False
    do_save(alice, posyandu, reason="dipindah")
    _old_row(
        "organisation.posyandu",
        posyandu.pk,
        before={"puskesmas": None},
        after={"puskesmas": served.pk},
        reason="dulu tanpa puskesmas",
    )
    _old_row(
        "konvergensi_desa.scorecardtarget",
        987654,
        action="create",
        after={
            "id": 987654,
            "desa": BALANTANG,
            "year": 2025,
            "quarter": 3,
            "group": "anak_2_6",
            "name": "Haikal",
            "answers": {"paud": "Y"},
            "filled_by_tumbuh": [],
            "recorded_by": alice.pk,
            "child": None,
        },
        reason="kartu skor",
    )
    _old_row(
        "konvergensi_desa.mentorvisit",
        987655,
        action="create",
        after={"id": 987655, "date": "2025-02-18", "activity": "Monitoring"},
        reason="kunjungan",
    )
    gone = Puskesmas.objects.order_by("-pk").first().pk + 1000
    luwu = Puskesmas.objects.filter(kecamatan__kabupaten_code="73.17").first()
    _old_row(
        "organisation.posyandu",
        posyandu.pk,
        before={"puskesmas": gone},
        after={"puskesmas": luwu.pk},
        reason="yang hilang",
    )
    return {"posyandu": posyandu, "served": served, "other": other, "gone": gone, "luwu": luwu}


def _page(client, user, language, **params):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client.get(reverse("audit:list"), params)


def test_each_example_of_the_issue_reads_in_inspector_words(client, alice, examples):
    response = _page(client, alice, "id")
    rows = _rows(response)
    moved = rows["dipindah"]
    assert "Posyandu" in moved and "organisation.posyandu" not in moved
    served = examples["served"].name
    assert f"Puskesmas: Puskesmas Malili → {served}" in moved
    assert "Aktif: Ya → Tidak" in moved and "is_active" not in moved
    assert f"Puskesmas: — → {served}" in rows["dulu tanpa puskesmas"]
    card = rows["kartu skor"]
    assert "Sasaran kartu skor" in card and "Tahun: 2025" in card and "2.025" not in card
    assert "Jawaban › Mengikuti PAUD: Y (diterima)" in card and "paud" not in card  # the model's audit_labels
    assert "Kelompok sasaran: anak 2–6 tahun" in card and "anak_2_6" not in card  # a choice by its label
    assert "Desa: Balantang (73.24.04.2010)" in card and f"Dicatat oleh: {alice.full_name}" in card
    assert "Triwulan: 3" in card and "987654" not in card  # the row's own id is the log's business, not a change
    assert "Tanggal: 18 Februari 2025" in rows["kunjungan"] and "2025-02-18" not in rows["kunjungan"]
    gone = rows["yang hilang"]
    assert f"Puskesmas: #{examples['gone']} (dihapus) → #{examples['luwu'].pk}" in gone
    assert examples["luwu"].name not in gone  # another district's puskesmas: its id, never its name
    page = response.content.decode()
    assert '<option value="organisation.posyandu" >Posyandu</option>' in page
    assert ">organisation.posyandu<" not in page and ">konvergensi_desa.scorecardtarget<" not in page


def test_the_english_log_reads_in_english(client, alice, examples):
    rows = _rows(_page(client, alice, "en"))
    assert (
        "Active: Yes → No" in rows["dipindah"]
        and f"Puskesmas: — → {examples['served'].name}" in rows["dulu tanpa puskesmas"]
    )
    card = rows["kartu skor"]
    assert "Scorecard target person" in card and "Year: 2025" in card and "2,025" not in card
    assert (
        "Group: child 2–6 years" in card and "Answers › Attends early-childhood education (PAUD): Y (received)" in card
    )
    assert "Date: 18 February 2025" in rows["kunjungan"]
    assert f"Puskesmas: #{examples['gone']} (deleted)" in rows["yang hilang"]


def test_a_model_that_labels_its_json_keys_is_read_by_its_labels(client, alice, examples, monkeypatch):
    def audit_labels(cls, field):
        if field == "answers":
            return {**{i.code: i.label for g in scorecard.GROUPS for i in scorecard.items(g)}, "Y": "Ya"}
        return {}

    monkeypatch.setattr(ScorecardTarget, "audit_labels", classmethod(audit_labels), raising=False)
    card = _rows(_page(client, alice, "id"))["kartu skor"]
    with translation.override("id"):
        paud = str(dict((i.code, i.label) for i in scorecard.items(scorecard.ANAK_2_6))["paud"])
    assert paud != "paud" and f"Jawaban › {paud}: Ya" in card


def test_a_row_written_before_a_rename_reads_by_todays_names(client, alice):
    """The migration that renames a model or field moves its rows (renames.follow_rename); the
    display reads them by the model's names from then on."""
    _old_row(
        "konvergensi_desa.sasaranscorecard",
        987656,
        action="create",
        after={"tahun": 2024, "kelompok": "ibu_hamil", "jawaban": {"anc4": "T"}},
        reason="sebelum ganti nama",
    )
    assert (
        "sasaranscorecard" in _rows(_page(client, alice, "id"))["sebelum ganti nama"]
    )  # as stored: no model of that name
    rewrite_history(
        apps,
        "konvergensi_desa.sasaranscorecard",
        "konvergensi_desa.scorecardtarget",
        {"tahun": "year", "kelompok": "group", "jawaban": "answers"},
    )
    row = _rows(_page(client, alice, "id"))["sebelum ganti nama"]
    assert "Sasaran kartu skor" in row and "Tahun: 2024" in row and "Kelompok sasaran: ibu hamil" in row
    assert "Jawaban › Pemeriksaan kehamilan minimal 4 kali: T (tidak diterima)" in row


def test_a_bulk_write_names_its_models_and_counts(alice):
    with translation.override("id"):
        [entry] = display.describe(
            [
                AuditLog(
                    object_type="imports.importbatch",
                    action="create",
                    after={
                        "measurements_created": 1070,
                        "file": "eppgbm.xlsx",
                        "written": {"measurements.measurement": 1070},
                    },
                )
            ],
            alice,
        )
        lines = {c.label: c.after for c in entry.changes}
    assert entry.what == "Batch impor"
    assert lines == {"Pengukuran baru": "1.070", "Berkas": "eppgbm.xlsx", "Baris ditulis › Pengukuran": "1.070"}


def test_a_page_of_fifty_rows_names_its_related_objects_in_a_few_queries(client, alice):
    """Related names are looked up once per related model for the page, not once per row."""
    inspector = User.objects.create(
        username="inspektur", full_name="Inspektur", role=Role.DISTRICT_ADMIN, wilayah_id="73.24"
    )
    posyandu = list(Posyandu.objects.filter(desa__kabupaten_code="73.24").select_related("puskesmas")[:50])
    puskesmas = list(Puskesmas.objects.filter(kecamatan__kabupaten_code="73.24"))

    def rows(numbers):
        for i in numbers:
            p = posyandu[i]
            _old_row(
                "organisation.posyandu",
                p.pk,
                actor=inspector,
                before={"puskesmas": puskesmas[i % len(puskesmas)].pk, "desa": p.desa_id},
                after={"puskesmas": p.puskesmas_id, "desa": p.desa_id, "is_active": False, "name": f"Baru {i}"},
                reason=f"baris {i}",
            )
            _old_row(
                "konvergensi_desa.scorecardtarget",
                990000 + i,
                actor=inspector,
                action="create",
                after={"desa": p.desa_id, "recorded_by": alice.pk, "year": 2025},
                reason=f"kartu {i}",
            )

    rows(range(3))
    client.force_login(alice)
    url = reverse("audit:list") + f"?user={inspector.pk}"
    client.get(url)  # the login's first page view refreshes the session's expiry (core.middleware): not counted
    with CaptureQueriesContext(connection) as five:
        assert len(_rows(client.get(url))) == 6
    rows(range(3, 25))
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert len(response.context["entries"]) == 50
    assert len(fifty) == len(five), [q["sql"] for q in fifty.captured_queries]
    assert len(fifty) <= 20


def test_describe_asks_once_per_related_model(alice, django_assert_max_num_queries):
    logs = list(AuditLog.objects.filter(object_type="organisation.posyandu")[:50])
    assert len(logs) == 50
    with django_assert_max_num_queries(4):  # desa, puskesmas; and who is outside the area or gone, for each
        entries = display.describe(logs, alice)
    assert all("Desa" in {c.label for c in e.changes} for e in entries if e.log.action == "create")


def test_the_system_and_a_superuser_see_every_name(alice):
    luwu = Puskesmas.objects.filter(kecamatan__kabupaten_code="73.17").first()
    log = AuditLog(
        object_type="organisation.posyandu", action="update", before={"puskesmas": None}, after={"puskesmas": luwu.pk}
    )
    assert display.describe([log], policy.SYSTEM)[0].changes[0].after == luwu.name
    assert display.describe([log], alice)[0].changes[0].after == f"#{luwu.pk}"
