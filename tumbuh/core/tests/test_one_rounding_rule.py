"""Every figure goes through the one rounding rule (``tumbuh.core.numbers``), on every page and in
every export (issue 14): a guard against the ways around it coming back.

- Templates write figures with ``{% load numbers %}{{ x|figure }}``, never ``floatformat``
  (which rounds the same way, but is a second function that a page, its PDF and its Excel
  would have to keep agreeing with) nor a ``stringformat`` with decimals.
- Python writes a figure for a person with ``format_number`` / ``indonesian_number`` /
  ``excel_value`` / ``csv_number``, never ``f"{x:.1f}"`` or ``"%.1f"`` (the binary value, ties to
  even: ``f"{20.15:.1f}"`` is ``20.1`` where the page says ``20,2``) nor a hand-made decimal comma
  or thousands dot (``.replace(".", ",")``: right in one language only).

A line that must keep such formatting is listed in :data:`ALLOWED` with the reason; any other
occurrence fails here, naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the tumbuh package
TEMPLATES = sorted(ROOT.glob("*/templates/**/*.html"))
SOURCES = sorted(p for p in ROOT.rglob("*.py") if not {"tests", "migrations"} & set(p.relative_to(ROOT).parts))

TEMPLATE_BYPASS = re.compile(r"\|\s*floatformat\b|\|\s*stringformat:\s*[\"'][^\"']*\.\d*[fFeEgG%][\"']")
PYTHON_BYPASS = re.compile(
    r"\{[^{}\n]*:[,_]?\.\d+[fF%]\}"  # f"{x:.1f}", "{:.2f}".format(x), f"{n:,.0f}"
    r"|%(?:\(\w+\))?\.\d+[fF]"  # "%.1f" % x, "%(v).2f" % {...}
    r"|\.replace\(\s*[\"'][.,][\"']\s*,\s*[\"'][.,][\"']\s*\)"  # a hand-made decimal comma or thousands dot
)

#: (path under tumbuh/, a piece of the line) -> why the line may format by hand.
ALLOWED: dict[tuple[str, str], str] = {
    ("core/numbers.py", 'f"{20.15:.1f}"'): "the rule's own docstring, telling why the f-string is not used",
    ("growth/cli.py", "{dt:.2f} s"): "the z-score command's timing on stderr, for a developer: not a figure",
    (
        "growth/engines/spark_engine.py",
        "{took:.2f} s on Spark",
    ): "the Spark engine's timing line on stderr, for a developer",
    ("growth/engines/spark_engine.py", "(session start {started:.2f} s)"): "the same line: the session's start-up time",
    (
        "growth/engines/spark_engine.py",
        "{time.perf_counter() - t0:.2f} s)",
    ): "the prevalence command's timing on stderr",
    (
        "growth/engines/duckdb_engine.py",
        "{dt:.2f} s",
    ): "the same timing line of the DuckDB engine, on stderr, for a developer: not a figure",
    ("demo/management/commands/load_demo.py", "{s.children_seconds:.1f} s"): "the demo loader's timing for a developer",
    ("demo/management/commands/load_demo.py", "{s.second_seconds:.1f} s"): "the demo loader's timing for a developer",
    (
        "demo/eppgbm_export.py",
        'text.replace(".", ",")',
    ): "writes a synthetic e-PPGBM export as e-PPGBM writes it (its decimal comma in every language), for the importer",
    ("demo/eppgbm_export.py", 'f"{x:.2f}".replace(".", ",")'): "as above: e-PPGBM's own z-score cells",
    (
        "measurements/nik.py",
        'f"{float(text):.0f}"',
    ): "turns a NIK that a spreadsheet made a float (7.3e+15) back into its digits",
    (
        "demo/boundaries.py",
        'Decimal(f"{rng.uniform(',
    ): "a made-up demo posyandu location, stored to six decimals: not a figure",
    ("demo/boundaries.py", 'Decimal(f"{p.x:.6f}")'): "a demo posyandu location, stored to six decimals: not a figure",
    (
        "imports/cells.py",
        'text.replace(",", ".")',
    ): "reads a typed number (decimal comma to point): parsing, not writing",
    (
        "measurements/forms.py",
        'text.replace(",", ".")',
    ): "reads a typed number (decimal comma to point): parsing, not writing",
    # Known and left to their apps' owners (issue 14): they write a coordinate or a count by hand.
    (
        "organisation/location.py",
        '.replace(".", ",")',
    ): "KNOWN: a coordinate (six decimals) in a location message, kept as text with an import row; a decimal comma in "
    "every language. To move to core.numbers once messages can carry a coordinate (owner: organisation)",
    (
        "maps/shapefiles.py",
        'x=f"{x0:.0f}"',
    ): "KNOWN: a projected coordinate in a shapefile error message, written with a decimal point (owner: maps)",
    (
        "maps/shapefiles.py",
        'x0=f"{x0:.2f}"',
    ): "KNOWN: longitudes and latitudes in a shapefile error message, written with a decimal point (owner: maps)",
    # The same two messages' other coordinates, on lines of their own since ruff format.
    ("maps/shapefiles.py", 'y=f"{y0:.0f}"'): "KNOWN: as x above (owner: maps)",
    ("maps/shapefiles.py", 'x1=f"{x1:.2f}"'): "KNOWN: as x0 above (owner: maps)",
    ("maps/shapefiles.py", 'y0=f"{y0:.2f}"'): "KNOWN: as x0 above (owner: maps)",
    ("maps/shapefiles.py", 'y1=f"{y1:.2f}"'): "KNOWN: as x0 above (owner: maps)",
}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_scans_see_the_code():
    assert len(TEMPLATES) > 100 and len(SOURCES) > 200
    assert any(_rel(p) == "core/numbers.py" for p in SOURCES)


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_no_template_formats_a_figure_around_the_rule(path):
    text = path.read_text(encoding="utf-8")
    bad = [f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in TEMPLATE_BYPASS.finditer(text)]
    assert not bad, f'{_rel(path)}: {bad} (use {{% load numbers %}}{{{{ x|figure }}}}, figure:2, figure:"-1")'


def test_no_python_formats_a_figure_around_the_rule():
    found, used = [], set()
    for path in SOURCES:
        rel = _rel(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not PYTHON_BYPASS.search(line):
                continue
            allowed = [key for key in ALLOWED if key[0] == rel and key[1] in line]
            if allowed:
                used.update(allowed)
            else:
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, (
        "figures formatted by hand (use tumbuh.core.numbers: format_number, indonesian_number, "
        "excel_value, csv_number; or list the line in ALLOWED with the reason):\n" + "\n".join(found)
    )
    stale = {key for key in set(ALLOWED) - used if (ROOT / key[0]).exists()}  # a file another branch brings is kept
    assert not stale, f"allowed lines that no longer exist (remove them): {sorted(stale)}"


@pytest.mark.parametrize(
    "snippet",
    [
        "{{ r.ul|floatformat:1 }}",
        "{{ v|floatformat }}",
        '{{ a.volume|floatformat:"-2g" }}',
        "{{ z|stringformat:'.2f' }}",
    ],
)
def test_the_template_scan_catches_each_way_around(snippet):
    assert TEMPLATE_BYPASS.search(snippet)
    assert not TEMPLATE_BYPASS.search('{{ r.ul|figure }} {{ year|stringformat:"d" }}')


@pytest.mark.parametrize(
    "line",
    [
        'f"{x:.1f}"',
        'f"{score.score:.2f}"',
        '"{:.2f}".format(v)',
        'f"{rows:,.0f}"',
        '"%.1f" % x',
        '"%(v).2f" % p',
        'str(x).replace(".", ",")',
        "f'{n:,}'.replace(',', '.')",
        'f"{share:.1%}"',
    ],
)
def test_the_python_scan_catches_each_way_around(line):
    assert PYTHON_BYPASS.search(line)
    assert not PYTHON_BYPASS.search('format_number(x, 1) + f"{name}: {year:d}" + "%(n)s" % p + f"{d:%d/%m/%Y}"')
