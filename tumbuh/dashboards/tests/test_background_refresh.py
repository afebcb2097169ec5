"""After an e-PPGBM import every dashboard period is stale; a background process recomputes them
at batch priority, so no page has to (docs/performance.md, Load)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from tumbuh.core import processes
from tumbuh.dashboards import aggregates
from tumbuh.imports.models import BatchStatus, ImportBatch

from .conftest import ROUND


@pytest.fixture
def spawned(monkeypatch, settings):
    settings.TUMBUH_REFRESH_AFTER_IMPORT = True
    calls = []
    monkeypatch.setattr(processes, "spawn", lambda args, log_name: calls.append((args, log_name)))
    return calls


def _batch(kind, status):
    from tumbuh.wilayah.models import Wilayah

    return ImportBatch.objects.create(
        kind=kind, file_name="f.xlsx", status=status, kabupaten=Wilayah.objects.get(code="73.24")
    )


@pytest.mark.django_db
def test_a_finished_eppgbm_batch_starts_the_refresh_once_committed(
    alice, known, spawned, django_capture_on_commit_callbacks
):
    aggregates.ensure_fresh(ROUND)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = _batch("eppgbm", BatchStatus.RUNNING)
        assert not callbacks  # not running yet: nothing marked stale
        batch.status = BatchStatus.DONE
        batch.save()
    assert spawned == []  # not before the batch is committed
    for callback in callbacks:
        callback()
    assert spawned == [(["refresh_aggregates", "--stale", "--background", "-v", "0"], "refresh.log")]


@pytest.mark.django_db
def test_no_refresh_for_other_kinds_nothing_stale_or_when_switched_off(
    alice, known, spawned, settings, django_capture_on_commit_callbacks
):
    from tumbuh.dashboards.models import AggregateRun

    AggregateRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _batch("opd", BatchStatus.DONE)  # an OPD list changes no figure
        _batch("eppgbm", BatchStatus.DONE)  # nothing computed yet: nothing stale
    assert spawned == []
    aggregates.ensure_fresh(ROUND)
    settings.TUMBUH_REFRESH_AFTER_IMPORT = False
    with django_capture_on_commit_callbacks(execute=True):
        _batch("eppgbm", BatchStatus.DONE)
    assert spawned == []


@pytest.mark.django_db
def test_the_background_refresh_leaves_no_period_stale(alice, known):
    from tumbuh.dashboards.models import AggregateRun

    aggregates.ensure_fresh(ROUND)
    AggregateRun.objects.update(stale=True)
    call_command("refresh_aggregates", "--stale", "--background", "-v", "0")
    assert AggregateRun.objects.filter(period=ROUND.key, stale=False).exists()
    assert not AggregateRun.objects.filter(stale=True).exists()


@pytest.mark.parametrize(
    ("command", "env", "expected"),
    [
        ("refresh_aggregates", {}, 10),
        ("import", {}, 10),
        ("run_import", {"TUMBUH_BATCH_NICE": "5"}, 5),
        ("import", {"TUMBUH_BATCH_NICE": "0"}, 0),
        ("runserver", {}, 0),
    ],
)
def test_batch_commands_run_at_a_lower_priority_than_pages(command, env, expected):
    code = "import os; from tumbuh.cli import lower_priority; base = os.nice(0); lower_priority(%r); print(os.nice(0) - base)"
    environ = {k: v for k, v in os.environ.items() if k != "TUMBUH_BATCH_NICE"} | env
    out = subprocess.run(
        [sys.executable, "-c", code % command], env=environ, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == min(expected, 19 - os.nice(0))
