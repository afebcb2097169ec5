"""Aksi 1 pages and outputs: the table, the heatmap, the lokus page (explained), the SK lokus
PDF/DOCX read back, and who sees what (the Master Ansit workbook: ``test_ansit.py``)."""

import io
import shutil
import subprocess

import docx
import pytest

from tumbuh.analisis import situation
from tumbuh.analisis.models import Lokus, lokus_desa
from tumbuh.core.numbers import format_number
from tumbuh.core.testing import require_or_skip
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


@pytest.fixture
def pdftext(tmp_path):
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")

    def read(pdf: bytes) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        # Reading order (no -layout): a table cell that wraps stays whole.
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    return read


def test_situation_page_with_heatmap_and_krs_column(client, alice):
    client.force_login(alice)
    html = client.get("/analisis/?year=2026").content.decode()
    assert 'data-testid="situasi-table"' in html and f'data-desa="{BALANTANG}"' in html
    assert "KRS" in html and "R2025-08" not in html  # the round is shown by its label
    assert 'data-testid="heatmap"' in html and "<svg" in html and "Bumil TTD" in html
    from tumbuh.reviu.recommendations import recommendations_for

    seeded = recommendations_for("73.24", 2026)  # the demo's 2025 review
    assert seeded and all(r.text in html for r in seeded)


@pytest.mark.parametrize(
    "username, sees_balantang, sees_other",
    [
        ("admin.lutim", True, True),
        ("dinkes.lutim", True, True),
        ("pantau.lutim", True, True),
        ("camat.malili", True, False),
        ("pkm.malili", None, False),
        ("desa.balantang", True, False),
    ],
)
def test_the_table_shows_only_the_user_s_area(client, demo_users, username, sees_balantang, sees_other):
    user = demo_users[username]
    client.force_login(user)
    html = client.get("/analisis/?year=2026").content.decode()
    if sees_balantang is None:  # a puskesmas officer: the desa their puskesmas serves
        served = user.puskesmas.desa_codes()
        assert served and all(f'data-desa="{c}"' in html for c in served)
        sees_balantang = BALANTANG in served
    assert (f'data-desa="{BALANTANG}"' in html) == sees_balantang
    assert ('data-desa="73.24.03.2018"' in html) == sees_other  # a desa in Towuti


def test_another_district_sees_its_own(client, charlie):
    client.force_login(charlie)
    html = client.get("/analisis/?year=2026").content.decode()
    assert "Luwu" in html and f'data-desa="{BALANTANG}"' not in html


def test_lokus_page_explains_each_score(client, alice):
    client.force_login(alice)
    html = client.get("/analisis/lokus/?year=2026").content.decode()
    assert 'data-testid="lokus-table"' in html and 'data-testid="weights-form"' in html
    assert "→" in html and "10 desa" in html  # parts with their points; ten chosen
    assert "lokus tiga tahun" in html  # the written reason of the desa left out


def test_lokus_selection_posted_from_the_page(client, alice):
    client.force_login(alice)
    chosen = lokus_desa("73.24", 2026)
    keep = chosen[:3]
    r = client.post("/analisis/lokus/?year=2026&n=3", {"year": 2026, "selected": keep})
    assert r.status_code == 302
    assert lokus_desa("73.24", 2026)[:3] == keep
    # Dropping a recommended desa without a reason is refused, and nothing changes.
    r = client.post("/analisis/lokus/?year=2026&n=3", {"year": 2026, "selected": keep[:2]})
    assert r.status_code == 200 and set(keep) <= set(lokus_desa("73.24", 2026))
    r = client.post(
        "/analisis/lokus/?year=2026&n=3",
        {"year": 2026, "selected": keep[:2], f"reason-{keep[2]}": "Sudah ditangani program CSR"},
    )
    assert keep[2] not in lokus_desa("73.24", 2026)
    assert Lokus.objects.get(desa_id=keep[2], year=2026).reason == "Sudah ditangani program CSR"


@pytest.mark.parametrize("username", ["dinkes.lutim", "pantau.lutim"])
def test_district_readers_see_the_ranking_but_cannot_decide(client, demo_users, username):
    client.force_login(demo_users[username])
    html = client.get("/analisis/lokus/?year=2026").content.decode()
    assert 'data-testid="lokus-table"' in html and 'data-testid="weights-form"' not in html
    assert client.post("/analisis/lokus/?year=2026", {"year": 2026}).status_code == 403
    assert (
        client.post(
            "/analisis/lokus/bobot/",
            {"year": 2026, "prevalence": 1, "stunted": 1, "coverage_gap": 1, "data_quality": 1},
        ).status_code
        == 403
    )


def test_a_desa_operator_sees_only_its_own_decision(client, bob):
    client.force_login(bob)
    html = client.get("/analisis/lokus/?year=2026").content.decode()
    assert 'data-testid="lokus-table"' not in html and 'data-testid="lokus-saved"' in html
    assert client.get("/analisis/lokus/sk/?year=2026").status_code == 403


def test_the_sk_lokus_pdf_holds_the_desa_and_figures(client, alice, pdftext):
    client.force_login(alice)
    response = client.get(
        "/analisis/lokus/sk/",
        {
            "year": 2026,
            "nomor": "100.3.3.2/45/2026",
            "place": "Malili",
            "bupati": "Ir. H. Irwan Bachri Syam",
            "format": "pdf",
        },
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdftext(response.content).split())
    s = situation.build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    totals = s.totals
    assert "KEPUTUSAN BUPATI LUWU TIMUR" in text and "100.3.3.2/45/2026" in text
    assert "Ir. H. Irwan Bachri Syam" in text
    assert f"terdapat {totals['pendek']:,}".replace(",", ".") + " balita pendek" in text
    for code in lokus_desa("73.24", 2026):
        row = next(r for r in s.rows if r.desa.code == code)
        assert row.desa.name in text
    first = next(r for r in s.rows if r.desa.code == lokus_desa("73.24", 2026)[0])
    assert format_number(first.prevalence, 1, "id") in text  # its prevalence in the lampiran, Indonesian format
    assert "lokus tiga tahun" not in text  # a desa left out is not in the decree


def test_the_sk_lokus_docx_is_editable(client, alice):
    client.force_login(alice)
    response = client.get("/analisis/lokus/sk/", {"year": 2026, "format": "docx"})
    d = docx.Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in d.paragraphs) + "\n".join(
        c.text for t in d.tables for row in t.rows for c in row.cells
    )
    assert "MEMUTUSKAN" in body and Lokus.objects.filter(year=2026, selected=True).first().desa.name in body


def test_menu_leads_to_aksi_1(alice):
    from tumbuh.core.navigation import menu

    assert "/analisis/" in [url for _label, url in menu(alice)[0][1]]
