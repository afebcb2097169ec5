"""The rubric is data: the shipped file loads; a malformed one is refused with every fault in
Indonesian, naming the line or the criterion; the command and the upload page do the same."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.penilaian import rubric as rubric_file
from tumbuh.penilaian.models import Criterion, Level, Rubric

GOOD = b"""
name = "Rubrik uji"
version = "1"
basis = "Untuk uji."

[[criteria]]
aksi = 1
code = "U1"
indicator = "Analisis situasi disusun."
weight = 2.5
evidence = "Tabel situasi."
levels = [ { value = 0, description = "Tidak ada." }, { value = 2, description = "Lengkap." } ]

[[criteria]]
aksi = 5
code = "U5"
indicator = "KPM dibina."
weight = 1
levels = [ { value = 0, description = "Tidak." }, { value = 1, description = "Ya." } ]
"""


def test_the_shipped_rubric_covers_the_eight_actions_and_says_what_it_is():
    parsed = rubric_file.parse(rubric_file.DEFAULT_RUBRIC.read_bytes())
    assert {c.aksi for c in parsed.criteria} == set(range(1, 9))
    assert "Bukan juknis resmi" in parsed.basis
    assert all(len(c.levels) >= 2 and c.weight > 0 for c in parsed.criteria)


def test_a_good_file_loads_audited(prov):
    loaded = rubric_file.load_file(prov, prov.wilayah, GOOD, reason="uji")
    assert (loaded.name, loaded.version, loaded.province_id) == ("Rubrik uji", "1", "73")
    u1 = Criterion.objects.get(rubric=loaded, code="U1")
    assert (u1.aksi, str(u1.weight), u1.evidence) == (1, "2.50", "Tabel situasi.")
    assert [str(v) for v in Level.objects.filter(criterion=u1).values_list("value", flat=True)] == ["0.00", "2.00"]
    assert u1.max_value() == 2
    assert AuditLog.objects.filter(object_type="penilaian.level", actor=prov, reason="uji").count() == 4
    assert AuditLog.objects.filter(object_type="penilaian.rubric", object_id=str(loaded.pk)).count() == 1


def test_the_same_version_twice_is_refused(prov):
    rubric_file.load_file(prov, prov.wilayah, GOOD)
    with translation.override("id"), pytest.raises(rubric_file.RubricError) as e:
        rubric_file.load_file(prov, prov.wilayah, GOOD)
    assert "sudah dimuat" in e.value.errors[0]
    assert Rubric.objects.filter(name="Rubrik uji").count() == 1


def test_a_toml_syntax_error_names_its_line():
    broken = GOOD.replace(b'code = "U5"', b'code = "U5')
    with translation.override("id"), pytest.raises(rubric_file.RubricError) as e:
        rubric_file.parse(broken)
    (message,) = e.value.errors
    line = GOOD.split(b"\n").index(b'code = "U5"') + 1
    assert message.startswith(f"Berkas rubrik bukan TOML yang sah: baris {line}, kolom")


def test_each_bad_criterion_is_named_with_what_is_wrong():
    bad = GOOD.replace(b"aksi = 5", b"aksi = 9").replace(b"weight = 1\n", b'weight = "banyak"\n')
    bad = bad.replace(b'{ value = 2, description = "Lengkap." }', b'{ value = 0, description = "Lagi." }')
    with translation.override("id"), pytest.raises(rubric_file.RubricError) as e:
        rubric_file.parse(bad)
    assert e.value.errors == [
        "Kriteria ke-1 (kode U1): tingkat 2 mengulang nilai tingkat lain.",
        "Kriteria ke-2 (kode U5): aksi harus bilangan bulat 1 sampai 8; bobot harus angka paling kecil 0.",
    ]


def test_a_file_too_large_or_not_text_is_refused():
    with translation.override("id"), pytest.raises(rubric_file.RubricError) as e:
        rubric_file.parse(b"#" * (rubric_file.MAX_BYTES + 1))
    assert "lebih besar dari 256 KB" in e.value.errors[0]
    with translation.override("id"), pytest.raises(rubric_file.RubricError) as e:
        rubric_file.parse(b"\xff\xfe\x00name")
    assert "bukan teks UTF-8" in e.value.errors[0]


def test_the_command_loads_a_file_and_refuses_a_malformed_one_in_indonesian(db, tmp_path, capsys):
    good = tmp_path / "rubrik.toml"
    good.write_bytes(GOOD)
    call_command("load_rubric", str(good), "--province", "73")
    assert "Rubrik Rubrik uji (1) dimuat: 2 kriteria." in capsys.readouterr().out
    log = AuditLog.objects.filter(object_type="penilaian.rubric").latest("pk")
    assert log.actor is None and log.actor_name == "sistem"

    bad = tmp_path / "rusak.toml"
    bad.write_bytes(GOOD.replace(b'version = "1"', b'version = "2"').replace(b'indicator = "KPM dibina."\n', b""))
    with pytest.raises(CommandError) as e:
        call_command("load_rubric", str(bad), "--province", "73")
    assert str(e.value) == "rusak.toml:\n- Kriteria ke-2 (kode U5): indikator (pertanyaannya) tidak ada."
    assert not Rubric.objects.filter(version="2").exists()


def test_the_upload_page_loads_for_the_province_and_keeps_the_errors(client, prov, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(prov)
    bad = SimpleUploadedFile("r.toml", GOOD.replace(b"aksi = 1", b"aksi = 0"))
    response = client.post("/penilaian/rubrik/", {"province": "73", "file": bad}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert "Kriteria ke-1 (kode U1): aksi harus bilangan bulat 1 sampai 8." in response.content.decode()
    response = client.post("/penilaian/rubrik/", {"province": "73", "file": SimpleUploadedFile("r.toml", GOOD)})
    assert response.status_code == 302 and Rubric.objects.filter(name="Rubrik uji").exists()

    client.force_login(alice)  # a district reads the rubrics, loads none
    response = client.post("/penilaian/rubrik/", {"province": "73", "file": SimpleUploadedFile("r.toml", GOOD)})
    assert response.status_code == 403
