"""Property tests: generated visits, written as e-PPGBM downloads in every way the corpus can
(CSV, XLSX, BIFF .xls, HTML .xls; title rows, 36- and 37-cell rows mixed, empty columns before
the table, unknown columns, headers under other names, markup, decimal commas or points, date
styles, yes/no spellings, the data behind a cover sheet),
import with no row lost or misread: every stored visit is the generated one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.measurements.models import Child, Measurement
from tumbuh.wilayah.models import Wilayah

from .eppgbm_fixtures import (
    ALIASES,
    FORMATS,
    TITLE,
    Style,
    headers,
    nik,
    stored_child_fields,
    stored_fields,
    visit,
    write,
)

pytestmark = pytest.mark.django_db

#: WHO 2006 medians (boys and girls averaged, rounded): plausible children, no WHO flags.
AGE_MONTHS = [0, 3, 6, 9, 12, 18, 24, 36, 48, 60]
HEIGHT = [49.5, 60.5, 66.5, 71.0, 74.8, 81.2, 86.4, 95.1, 102.7, 109.6]
WEIGHT = [3.3, 6.1, 7.6, 8.6, 9.4, 10.8, 12.0, 14.1, 16.1, 18.2]
NAMES = ["Putri", "Ahmad", "Nur", "Bagus", "Siti", "Rizky", "Dewi", "Fajar"]
LETTERS = "ABCDEFGH"
YES_NO = [("Ya", "Tidak"), ("Y", "T"), ("1", "0"), ("Ada", "Tidak Ada"), ("YA", "TIDAK")]
LAST_FIRST_VISIT = dt.date(2025, 6, 30)  # later visits follow within six months: none in the future
UNKNOWN_HEADERS = ["Catatan Kader", "Keterangan Lain", "Kolom Tambahan"]

maybe_bool = st.sampled_from([None, True, False])


@st.composite
def children(draw, upload: bool):
    """Visits of 1–4 children (1–3 visits each), in the order a download lists them."""
    visits = []
    for i in range(draw(st.integers(1, 4))):
        sex = draw(st.sampled_from("LP"))
        birth = dt.date(2020, 9, 1) + dt.timedelta(days=draw(st.integers(0, 1300)))
        date = birth + dt.timedelta(days=draw(st.integers(95, min(1640, (LAST_FIRST_VISIT - birth).days))))
        anonymised = draw(st.booleans()) and draw(st.booleans())
        number = nik(birth, sex, 100 * i + draw(st.integers(0, 99))) if anonymised or draw(st.booleans()) else ""
        name = f"ANON_{i + 1}" if anonymised else f"{draw(st.sampled_from(NAMES))} Sifat {LETTERS[i]}"
        zh, zw = draw(st.floats(-1.8, 1.8)), draw(st.floats(-1.5, 1.5))
        child = {
            "birth_order": draw(st.sampled_from([None, 1, 2, 3, 7])) if upload else None,
            "parent_nik": draw(st.sampled_from(["", nik(dt.date(1993, 5, 2), "P", 500 + i)])) if upload else "",
            "parent_phone": draw(st.sampled_from(["", f"08{draw(st.integers(10**8, 10**10 - 1))}"])) if upload else "",
        }
        lenhei = weight = None
        for k in range(draw(st.integers(1, 3))):
            if k:
                gap = draw(st.integers(28, 60))
                date += dt.timedelta(days=gap)
            months = (date - birth).days / 30.4375
            if lenhei is None:
                lenhei = float(np.interp(months, AGE_MONTHS, HEIGHT)) * (1 + 0.035 * zh)
                weight = float(np.interp(months, AGE_MONTHS, WEIGHT)) * (1 + 0.1 * zw)
            else:
                lenhei += gap / 30.4375 * draw(st.floats(0.2, 1.2))
                weight += draw(st.floats(-0.2, 0.4))
            position = "l" if months < 24 else "h"
            visits.append(
                visit(
                    name=name,
                    nik=number,
                    sex=sex,
                    birth=birth,
                    date=date,
                    total=k + 1,
                    weight=Decimal(f"{weight:.2f}"),
                    lenhei=Decimal(f"{lenhei:.1f}"),
                    position=draw(st.sampled_from([position, position, ""])),
                    muac=draw(st.sampled_from([None, Decimal("13.5"), Decimal("15.2")])),
                    weight_gain=draw(st.sampled_from(["", "N", "T", "O", "B"])),
                    vitamin_a=draw(st.sampled_from([None, 0, 1, 2])),
                    kpsp=draw(st.sampled_from(["", "Sesuai", "Meragukan", "Penyimpangan"])),
                    kia_book=draw(maybe_bool),
                    kelas_ibu_balita=draw(maybe_bool),
                    mbg=draw(maybe_bool),
                    zs=tuple(
                        draw(st.sampled_from([None, Decimal(draw(st.integers(-400, 400))) / 100])) for _ in range(3)
                    ),
                    headc=Decimal(f"{draw(st.integers(400, 520)) / 10:.1f}")
                    if upload and draw(st.booleans())
                    else None,
                    oedema=upload and draw(st.integers(0, 9)) == 0,
                    # Only the months the child has reached (a later one is ignored, tested on its own).
                    asi_months="".join(
                        c if m <= months else "-"
                        for m, c in enumerate(draw(st.lists(st.sampled_from("YT-"), min_size=7, max_size=7)))
                    )
                    if upload
                    else "",
                    **child,
                )
            )
    return visits


@st.composite
def styles(draw, upload: bool):
    layout = draw(st.sampled_from(["current", "current", "older"]))
    names = headers(Style(layout=layout, upload_columns=upload))
    return Style(
        layout=layout,
        titles=tuple(
            draw(st.lists(st.sampled_from([TITLE, "Kabupaten Luwu Timur", "Bulan Februari 2025"]), max_size=3))
        ),
        dates=draw(st.sampled_from(["iso", "dmy", "typed"])),
        comma=draw(st.booleans()),
        markup=draw(st.booleans()),
        yes_no=draw(st.sampled_from(YES_NO)),
        naik_words=draw(st.booleans()),
        upload_columns=upload,
        renamed=tuple(
            draw(st.lists(st.sampled_from(sorted(h for h in ALIASES if h in names)), unique=True, max_size=6))
        ),
        pad_left=draw(st.integers(0, 2)),
        cover=draw(st.booleans()),
        extra=tuple(
            draw(
                st.lists(
                    st.tuples(st.integers(0, len(names)), st.sampled_from(UNKNOWN_HEADERS)),
                    unique_by=lambda e: e[1],
                    max_size=2,
                )
            )
        ),
    )


def _short(draw, visits) -> frozenset[int]:
    return frozenset(draw(st.sets(st.integers(0, len(visits) - 1))))


class _Undo(Exception):
    """Leave the example's savepoint: each example starts from the same database."""


def _in_savepoint(check) -> None:
    try:
        with transaction.atomic():
            check()
            raise _Undo
    except _Undo:
        pass


def _import(user, visits, style, fmt):
    batch = run_import(
        "eppgbm",
        user=user,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=write(visits, style, fmt),
        file_name=f"sifat.{fmt}",
    )
    assert batch.status == BatchStatus.DONE, batch.error
    return batch


def _stored(v: dict) -> Measurement:
    child = {"child__nik": v["nik"]} if v["nik"] else {"child__name": v["name"]}
    return Measurement.objects.select_related("child").get(child__birth_date=v["birth"], date=v["date"], **child)


SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@SETTINGS
@given(data=st.data(), upload=st.booleans())
def test_no_row_is_lost_or_misread_however_the_download_is_written(alice, fmt, data, upload):
    visits = data.draw(children(upload))
    style = data.draw(styles(upload))
    style = Style(**{**style.__dict__, "short": _short(data.draw, visits)})

    def check():
        batch = _import(alice, visits, style, fmt)
        n_children = len({(v["name"], v["birth"]) for v in visits})
        assert (batch.total_rows, batch.created, batch.rejected) == (len(visits), len(visits), 0), list(
            batch.rejected_rows.values_list("row_number", "reason", "params")
        )
        assert batch.findings["children_created"] == n_children
        assert batch.findings["service_unreadable"] == 0 and batch.findings["ignored_cells"] == {}
        assert batch.findings["anonymised_names"] == sum(v["name"].startswith("ANON_") for v in visits)
        assert Measurement.objects.filter(import_batch=batch).count() == len(visits)
        for v in visits:
            m = _stored(v)
            assert {k: getattr(m, k) for k in stored_fields(v, style)} == stored_fields(v, style), v
            child = Child.objects.get(pk=m.child_id)
            assert (child.name, child.sex) == (v["name"], 1 if v["sex"] == "L" else 2)
            assert {k: getattr(child, k) for k in stored_child_fields(v, style)} == stored_child_fields(v, style)

    _in_savepoint(check)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@SETTINGS
@given(data=st.data())
def test_the_same_visits_written_another_way_are_all_unchanged(alice, fmt, data):
    visits = data.draw(children(False))
    first, second = (
        Style(**{**s.__dict__, "layout": "current", "short": _short(data.draw, visits)})
        for s in (data.draw(styles(False)), data.draw(styles(False)))
    )

    def check():
        _import(alice, visits, first, fmt)
        again = _import(alice, visits, second, sorted(FORMATS)[data.draw(st.integers(0, len(FORMATS) - 1))])
        assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, len(visits), 0)

    _in_savepoint(check)
