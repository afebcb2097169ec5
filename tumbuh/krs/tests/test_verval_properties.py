"""Property: whatever families BKKBN's Verval list holds, however many title rows, in whatever
column order, padded with empty columns, blank rows, spaces and an extra column, as CSV or
XLSX, with 1/0 or Ya/Tidak: every family is stored exactly as generated, none lost or misread."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.krs.models import Family
from tumbuh.wilayah.models import Wilayah

from .verval_fixtures import COLUMNS, FLAGS, NOT_IN_LIST, STYLES, verval_file

pytestmark = pytest.mark.django_db

MALILI = "73.24.04"
_DESA = []  # (code, name, is kelurahan), loaded once


def _desa():
    if not _DESA:
        _DESA.extend(
            (w.code, w.name, w.code.split(".")[-1].startswith("1"))
            for w in Wilayah.objects.filter(kecamatan_code=MALILI, level=4).order_by("code")
        )
    return _DESA


def _spellings(name: str, kelurahan: bool) -> list[str]:
    out = [name, name.upper(), name.lower(), f"DESA {name.upper()}", f"Desa {name}", name.replace("-", " ")]
    if kelurahan:
        out += [f"Kel. {name}", f"KELURAHAN {name.upper()}"]
    return out


def _nik(draw, female=False) -> str:
    day = draw(st.integers(1, 28)) + (40 if female else 0)
    return (
        f"732404{day:02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(60, 99)):02d}{draw(st.integers(1, 9999)):04d}"
    )


_WORD = st.text(alphabet=string.ascii_letters + "'", min_size=1, max_size=9).filter(lambda w: w.strip("'"))
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_CODES = {"1": ("1", "Rujukan", "rujukan"), "2": ("2", "Bansos", "Bantuan Sosial"), "3": ("3", "KIE", "kie")}


@st.composite
def families(draw):
    desa = _desa()
    count = draw(st.integers(1, 8))
    out, seen = [], set()
    while len(out) < count:
        nik = _nik(draw)
        if nik in seen:
            continue
        seen.add(nik)
        code, name, kelurahan = draw(st.sampled_from(desa))
        codes = sorted(draw(st.sets(st.sampled_from("123"))))
        separator = draw(st.sampled_from([", ", ";", ",", " ", " dan "]))
        spelled = (
            codes if separator == " " else [draw(st.sampled_from(_CODES[c])) for c in codes]
        )  # "1 3", not "KIE Bansos"
        out.append(
            {
                "code": code,
                "nik": nik,
                "kk_number": _nik(draw) if draw(st.booleans()) else "",
                "head_name": draw(_NAME),
                "wife_nik": _nik(draw, female=True) if draw(st.booleans()) else "",
                "wife_name": draw(_NAME) if draw(st.booleans()) else "",
                "kecamatan": draw(st.sampled_from(["Malili", "MALILI", "Kec. Malili", "KECAMATAN MALILI"])),
                "desa": draw(st.sampled_from(_spellings(name, kelurahan))),
                "jenis_pendampingan": separator.join(spelled),
                "expected_pendampingan": ",".join(codes),
                **{f: draw(st.booleans()) for f in FLAGS},
            }
        )
    return out


@st.composite
def layouts(draw):
    fmt = draw(st.sampled_from(["csv", "xlsx", "xls", "html"]))
    return {
        "fmt": fmt,
        "style": draw(st.sampled_from(sorted(STYLES))),
        "titles": draw(st.integers(0, 4)),
        "order": draw(st.permutations(range(len(COLUMNS)))),
        "lead": draw(st.integers(0, 3)),
        "blank_rows": draw(st.integers(0, 2)),
        "spaces": draw(st.booleans()),
        "extra": draw(st.booleans()),
        **(
            {"delimiter": draw(st.sampled_from([";", ",", "\t"]))} if fmt == "csv" else {"numbers": draw(st.booleans())}
        ),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(generated=families(), layout=layouts(), year=st.integers(2030, 2100))  # years no other test or demo list uses
def test_every_family_of_a_verval_list_is_stored_as_generated(alice, generated, layout, year):
    fmt = layout.pop("fmt")
    source = verval_file(generated, fmt, **layout)
    try:
        batch = run_import(
            "krs",
            user=alice,
            kabupaten=Wilayah.objects.get(code="73.24"),
            source=source,
            file_name=f"verval.{fmt}",
            options={"year": year},
        )
        assert batch.status == BatchStatus.DONE, batch.error
        reasons = [r.message for r in batch.rejected_rows.all()]
        assert (batch.total_rows, batch.created, batch.rejected) == (len(generated), len(generated), 0), reasons
        stored = {k.nik: k for k in Family.objects.filter(year=year, nik__in=[f["nik"] for f in generated])}
        for f in generated:
            k = stored[f["nik"]]
            assert (k.desa_id, k.head_name, k.kk_number, k.wife_nik, k.wife_name) == (
                f["code"],
                f["head_name"],
                f["kk_number"],
                f["wife_nik"],
                f["wife_name"],
            )
            assert {name: getattr(k, name) for name in FLAGS} == {name: f[name] for name in FLAGS}
            assert k.ada_balita is (f["ada_baduta"] or f["ada_anak_24_59"])
            assert all(getattr(k, name) is None for name in NOT_IN_LIST)
            assert k.jenis_pendampingan == f["expected_pendampingan"]
    finally:
        Family.objects.filter(year=year, nik__in=[f["nik"] for f in generated]).delete()
