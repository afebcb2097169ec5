"""The convergence actions as data, a district's year of them, and who may record progress."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.aksi import actions, checklist
from tumbuh.aksi.models import ActionDefinition, ActionSet, ActionYear, ChecklistTick, CycleYear, OutputItem, Status
from tumbuh.audit.actions import do_save
from tumbuh.audit.models import AuditLog
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import pdf_bytes

pytestmark = pytest.mark.django_db

YEAR = 2032  # a year the demo leaves empty
DAY = datetime.date(YEAR, 5, 4)  # the day progress is reported


def _open(alice, year=YEAR):
    return actions.start_year(alice, "73.24", year, ActionSet.default(), reason="rapat TPPS")


def test_the_8_action_set_is_seeded_as_data():
    default = ActionSet.default()
    assert default.kabupaten_id is None and default.is_default
    assert list(default.actions.values_list("number", flat=True)) == list(range(1, 9))
    rembuk = default.actions.get(number=3)
    assert rembuk.name == "Rembuk Stunting"
    assert "Berita acara rembuk stunting" in [i.label for i in rembuk.items.all()]


def test_opening_a_year_creates_each_action_with_opd_and_due_date(alice):
    cycle = _open(alice)
    assert cycle.actions.count() == 8
    a1 = cycle.actions.get(definition__number=1)
    a7 = cycle.actions.get(definition__number=7)
    assert a1.responsible_opd.short_name == "BAPPEDA" and a1.due_date == datetime.date(YEAR, 3, 31)
    assert a7.responsible_opd.short_name == "DINKES" and a7.status == Status.NOT_STARTED
    assert AuditLog.objects.filter(object_type="aksi.actionyear", reason="rapat TPPS").count() == 8
    with pytest.raises(ValidationError):  # one set per district and year
        _open(alice)


@pytest.mark.parametrize(
    "username", ["dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu"]
)
def test_only_the_secretariat_opens_a_year(demo_users, username):
    with pytest.raises(PermissionDenied):
        actions.start_year(demo_users[username], "73.24", YEAR, ActionSet.default())
    assert not CycleYear.objects.filter(year=YEAR).exists()


def test_the_responsible_opd_reports_progress_but_does_not_move_the_due_date(alice, demo_users):
    cycle = _open(alice)
    dinkes = demo_users["dinkes.lutim"]
    a7 = cycle.actions.get(definition__number=7)
    actions.update_action_year(dinkes, a7, {"status": Status.DONE, "note": "Bulan timbang selesai"}, today=DAY)
    a7.refresh_from_db()
    assert a7.status == Status.DONE and a7.done_date == DAY
    with pytest.raises(PermissionDenied):
        actions.update_action_year(dinkes, a7, {"due_date": datetime.date(YEAR, 12, 31)}, today=DAY)
    with pytest.raises(PermissionDenied):  # Aksi 1 is BAPPEDA's
        actions.update_action_year(
            dinkes, cycle.actions.get(definition__number=1), {"status": Status.IN_PROGRESS}, today=DAY
        )
    a7.status = Status.IN_PROGRESS  # back to work: the done date goes
    actions.update_action_year(alice, a7, {"status": Status.IN_PROGRESS}, today=DAY)
    assert ActionYear.objects.get(pk=a7.pk).done_date is None


def test_due_date_before_start_is_refused(alice):
    a1 = _open(alice).actions.get(definition__number=1)
    with pytest.raises(ValidationError):
        actions.update_action_year(
            alice, a1, {"start_date": datetime.date(YEAR, 4, 1), "due_date": datetime.date(YEAR, 3, 1)}, today=DAY
        )


def _progress(action_year, user):
    return checklist.progress(checklist.lines(action_year, user, today=DAY))


def test_overdue_and_progress(alice):
    a1 = _open(alice).actions.get(definition__number=1)
    assert a1.is_overdue(datetime.date(YEAR, 4, 1)) and not a1.is_overdue(datetime.date(YEAR, 3, 1))
    items = list(a1.definition.items.all())
    sk, ansit = (
        items[3],
        items[4],
    )  # the signed SK lokus and the Master Ansit sent to Aksi Bangda: no record proves them
    assert not sk.proof and not ansit.proof
    actions.tick(alice, a1, sk, done=True, note="SK ditandatangani")
    actions.tick(alice, a1, ansit, done=False)
    assert _progress(a1, alice) == (1, 5)
    actions.tick(alice, a1, ansit, done=True)
    assert _progress(a1, alice) == (2, 5) and ChecklistTick.objects.filter(action_year=a1).count() == 2


def test_an_output_a_record_proves_is_not_ticked_by_hand(alice):
    a1 = _open(alice).actions.get(definition__number=1)
    table = a1.definition.items.get(order=1)
    assert table.proof == "analisis.situation"
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Tumbuh ticks this output itself, once the previous"),
    ):
        actions.tick(alice, a1, table, done=True)
    assert not ChecklistTick.objects.filter(action_year=a1).exists()


@pytest.mark.parametrize(
    "username, number, allowed",
    [
        ("admin.lutim", 1, True),
        ("dinkes.lutim", 7, True),
        ("dinkes.lutim", 1, False),
        ("camat.malili", 7, False),
        ("pkm.malili", 7, False),
        ("desa.balantang", 7, False),
        ("pantau.lutim", 7, False),
        ("admin.luwu", 7, False),
    ],
)
def test_who_ticks_the_checklist(alice, demo_users, username, number, allowed):
    a = _open(alice).actions.get(definition__number=number)
    item = a.definition.items.filter(proof="").first()  # one no record proves
    if item is None:  # Aksi 7: a record proves each of its outputs; one ticked by hand added for the test
        item = do_save(policy.SYSTEM, OutputItem(action=a.definition, order=9, label="Foto kegiatan penimbangan"))
    if allowed:
        assert actions.tick(demo_users[username], a, item, done=True).done
    else:
        with pytest.raises(PermissionDenied):
            actions.tick(demo_users[username], a, item, done=True)


def test_a_tick_must_belong_to_the_action(alice):
    cycle = _open(alice)
    a1, a2 = cycle.actions.get(definition__number=1), cycle.actions.get(definition__number=2)
    with pytest.raises(ValidationError):
        actions.tick(alice, a1, a2.definition.items.first(), done=True)


def test_evidence_is_attached_to_the_action_year(alice, demo_users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a7 = _open(alice).actions.get(definition__number=7)
    doc = actions.attach_evidence(
        demo_users["dinkes.lutim"], a7, title="Rekap Februari", file=SimpleUploadedFile("rekap.pdf", pdf_bytes("x"))
    )
    assert list(UploadedDocument.for_object(a7)) == [doc] and doc.wilayah_id == "73.24"
    with pytest.raises(PermissionDenied):
        actions.attach_evidence(
            demo_users["desa.balantang"], a7, title="x", file=SimpleUploadedFile("x.pdf", pdf_bytes())
        )


def test_a_district_set_with_its_checklist(alice, charlie):
    four = actions.save_action_set(alice, ActionSet(kabupaten_id="73.24", code="aksi-4", name="4 Aksi", from_year=2027))
    d = actions.save_definition(
        alice, ActionDefinition(action_set=four, number=1, name="Perencanaan"), ["Analisis situasi", "Rencana kegiatan"]
    )
    tick_kept = [i.pk for i in d.items.all()][1]
    actions.save_definition(alice, d, ["Analisis situasi dan lokus", "Rencana kegiatan", "Rembuk"])
    assert [i.label for i in d.items.all()] == ["Analisis situasi dan lokus", "Rencana kegiatan", "Rembuk"]
    assert d.items.get(label="Rencana kegiatan").pk == tick_kept
    with pytest.raises(ValidationError):
        actions.save_definition(alice, d, ["A", "A"])
    with pytest.raises(PermissionDenied):  # another district's set
        actions.save_definition(charlie, ActionDefinition(action_set=four, number=2, name="x"), [])
    with pytest.raises(PermissionDenied):  # the national set is data, not a district's to edit
        actions.save_definition(alice, ActionSet.default().actions.get(number=1), ["x"])
    with pytest.raises(PermissionDenied):  # a district set opened by another district
        actions.start_year(charlie, "73.17", YEAR, four)
