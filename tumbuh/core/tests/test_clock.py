"""Time is an argument: only the edge reads the clock.

Views (``views.py``), management commands and the settings may read the clock and pass the day
or the time down; everything else (models, actions, figures, documents, template tags, forms,
the region picker's defaults) takes it as an argument, so that a test can fix the day. This test
parses every other module of ``tumbuh/`` and fails on a call of ``date.today()``,
``datetime.now()`` (or ``today()``/``utcnow()``), ``timezone.now()``, or ``timezone.localdate()``
/ ``timezone.localtime()`` without a value, and on such a function handed over uncalled (e.g.
``initial=date.today``) except as a model field's ``default=`` (the time a row is written,
like ``auto_now``)."""

from __future__ import annotations

import ast
from pathlib import Path

import tumbuh

ROOT = Path(tumbuh.__file__).parent

#: Modules that may still read the clock, each with the reason.
ALLOWED = {
    "dashboards/aggregates.py": "the lazy refresh of the precomputed figures (a cache: when they were computed, "
    "how old they are): refresh_period and ensure_fresh take now=, but indicator_table, "
    "trend and quality_tables, called from some twenty places, pass none yet",
    "imports/framework.py": "stamps the moment a long batch run ends (finished_at, like auto_now): "
    "that time is not known when the run is started",
    "imports/background.py": "the import worker, an edge like a view: its heartbeats, stale checks and a crashed "
    "batch's finished_at are about the moment the process runs; the rule itself "
    "(worker_gone) takes now=",
    "imports/models.py": "a running batch's heartbeat stamped on save (heartbeat_at, like auto_now)",
    "dashboards/pdf.py": "a view module: prevalence_pdf, quality_pdf and targets_pdf are views (dashboards/urls.py)",
    "maps/exports.py": "a view module: map_xlsx and map_pdf are views (maps/urls.py)",
    "offline/api.py": "a view module: the sync API's views (offline/urls.py) pass now and today to the actions",
    "offline/conflicts.py": "a view module: the conflicts page's views (offline/conflict_urls.py)",
}

#: Functions that read the clock (by their full name), and those that do only without a value.
CLOCK = {
    "datetime.date.today",
    "datetime.datetime.today",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "django.utils.timezone.now",
}
CLOCK_WITHOUT_VALUE = {"django.utils.timezone.localdate", "django.utils.timezone.localtime"}


def _is_edge(relative: Path) -> bool:
    parts = relative.parts
    return (
        "tests" in parts
        or "migrations" in parts
        or relative.name in ("views.py", "conftest.py", "settings.py")
        or parts[-3:-1] == ("management", "commands")
    )


def modules() -> list[Path]:
    return sorted(p.relative_to(ROOT) for p in ROOT.rglob("*.py") if not _is_edge(p.relative_to(ROOT)))


class _Reads(ast.NodeVisitor):
    """The lines of one module that read the clock, as (line, name)."""

    def __init__(self):
        self.names: dict[str, str] = {}  # local name → full name, from the imports
        self.found: list[tuple[int, str]] = []
        self._called: set[int] = set()
        self._defaults: set[int] = set()

    def visit_Import(self, node):
        for a in node.names:
            if a.asname:
                self.names[a.asname] = a.name
            else:
                self.names[a.name.split(".")[0]] = a.name.split(".")[0]

    def visit_ImportFrom(self, node):
        if node.module and not node.level:
            for a in node.names:
                self.names[a.asname or a.name] = f"{node.module}.{a.name}"

    def full_name(self, node) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.full_name(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Call(self, node):
        self._called.add(id(node.func))
        self._defaults.update(id(k.value) for k in node.keywords if k.arg == "default")
        name = self.full_name(node.func)
        if name in CLOCK or (name in CLOCK_WITHOUT_VALUE and not node.args and not node.keywords):
            self.found.append((node.lineno, f"{name}()"))
        self.generic_visit(node)

    def _reference(self, node):
        if id(node) in self._called or id(node) in self._defaults:
            return False
        name = self.full_name(node)
        if name in CLOCK or name in CLOCK_WITHOUT_VALUE:
            self.found.append((node.lineno, name))
            return True
        return False

    def visit_Attribute(self, node):
        if not self._reference(node):
            self.generic_visit(node)

    def visit_Name(self, node):
        self._reference(node)


def clock_reads(source: str) -> list[tuple[int, str]]:
    reads = _Reads()
    reads.visit(ast.parse(source))
    return reads.found


def test_the_checker_finds_each_way_of_reading_the_clock():
    source = """
import datetime
import datetime as dt
from datetime import date
from django.utils import timezone
from django.utils.timezone import localdate as ld

a = datetime.date.today()
b = dt.datetime.now()
c = date.today()
d = timezone.now()
e = timezone.localdate()
f = timezone.localtime()
g = ld()
h = forms.DateField(initial=dt.date.today)
fine = [timezone.localdate(now), timezone.localtime(value=now), dt.date(2026, 1, 1), date.fromisoformat("2026-01-01"),
        models.DateTimeField(default=timezone.now), other.today(), other.now()]
"""
    assert [line for line, _name in clock_reads(source)] == [8, 9, 10, 11, 12, 13, 14, 15]


def test_domain_code_takes_the_day_as_an_argument():
    found = []
    for relative in modules():
        if str(relative) in ALLOWED:
            continue
        for line, name in clock_reads((ROOT / relative).read_text(encoding="utf-8")):
            found.append(f"tumbuh/{relative}:{line}: {name}")
    assert found == [], "Pass the day (or the time) down from the view instead of reading the clock:\n" + "\n".join(
        found
    )


def test_every_allowed_module_still_reads_the_clock():
    """An entry whose module no longer reads the clock goes from the list."""
    for relative, reason in ALLOWED.items():
        assert reason and Path(relative) in modules(), relative
        assert clock_reads((ROOT / relative).read_text(encoding="utf-8")), f"{relative} no longer reads the clock"


def test_templates_take_the_day_from_the_view():
    """``{% now %}`` reads the clock while rendering: the view puts the day in the context instead."""
    found = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.html") if "{% now " in p.read_text(encoding="utf-8")]
    assert found == []
