"""Benchmark of reading e-PPGBM's HTML ".xls" download through Tumbuh's readers, against reading
the same rows as CSV.

    .venv/bin/python bench/bench_html_import.py                 # 200,000 rows
    .venv/bin/python bench/bench_html_import.py --rows 20000    # quicker
    .venv/bin/python bench/bench_html_import.py --keep          # keep /tmp/tumbuh-bench-html/ afterwards

What it does, under /tmp/tumbuh-bench-html/:

1. writes a 200,000-row "Daftar Anak Berdasarkan Status Gizi" download as e-PPGBM serves it (an
   HTML page named ``.xls``: doctype, Excel's namespaces, a ``<style>``, a title row spanning the
   37 header cells, ``<br>`` in "Usia Saat Ukur", ``&nbsp;``, ``&amp;`` and a link per row), and
   the same rows as a CSV file (``;``, UTF-8 with BOM);
2. reads each in a fresh process and reports rows/s and the process's peak RSS (its growth over
   a process that only imported the modules is the reader's own memory):

   - ``open_table`` on the HTML file (the import's reading step: ``inspect_source``, then every
     row streamed by lxml);
   - ``open_table`` on the CSV file (Tumbuh's CSV reader, the same framework around it);
   - peers as a floor: Python's ``csv`` module over the CSV file, and ``pyarrow.csv.read_csv``
     (a whole-file, multi-threaded C++ reader);
   - for memory, lxml parsing the whole HTML file into one tree (what streaming avoids).

Timings belong here, never in tests. Prints Markdown for docs/performance.md and writes JSON
to bench/out/html_import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path("/tmp/tumbuh-bench-html")

from tumbuh.imports.testing import EPPGBM_HEADERS as HEADERS  # noqa: E402  (after sys.path)

NAMES = ["SITI AMINAH", "MUHAMMAD RIZKY", "NUR AISYAH", "ANDI FAJAR", "PUTRI AYU", "AHMAD FAUZI", "DEWI LESTARI"]
DESA = ["BALANTANG", "HARAPAN", "LASKAP", "MANURUNG", "WEWANGRIU", "ATUE"]


def row(i: int) -> tuple[list[str], list[str]]:
    """One child's visit: as HTML cells (markup included) and as the text a reader should get."""
    name = f"{NAMES[i % len(NAMES)]} {i}"
    months = i % 60
    age_html, age = f"{months // 12} Tahun<br>{months % 12} Bulan", f"{months // 12} Tahun {months % 12} Bulan"
    weight, height = f"{6 + (i % 140) / 10:.1f}", f"{60 + (i % 500) / 10:.1f}"
    plain = [
        str(i + 1),
        f"73240{i:011d}",
        name,
        "LP"[i % 2],
        f"20{20 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "3.1",
        "49",
        f"{NAMES[(i + 3) % len(NAMES)]} & KELUARGA",
        "SULAWESI SELATAN",
        "LUWU TIMUR",
        "MALILI",
        "MALILI",
        DESA[i % len(DESA)],
        f"MAWAR {i % 50}",
        f"{i % 9:03d}",
        f"{i % 5:03d}",
        "Jl. Poros Malili",
        str(1 + i % 9),
        age,
        f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
        weight,
        height,
        ("Berdiri", "Terlentang")[i % 2],
        "14.5",
        "Normal",
        "-0.52",
        "Pendek",
        "-2.31",
        "Gizi Baik",
        "0.30",
        ("Ya", "Tidak")[i % 3 == 0],
        str(i % 3),
        "Sesuai",
        "Ya",
        "",
        "Ya",
        "Detail",
    ]
    html_cells = list(plain)
    html_cells[2] = name.replace(" ", "&nbsp;", 1)
    html_cells[7] = plain[7].replace("&", "&amp;")
    html_cells[18] = age_html
    html_cells[34] = "&nbsp;"
    html_cells[36] = f'<a href="/anak/detail/{i}">Detail</a>'
    return html_cells, plain


def write_files(rows: int) -> tuple[Path, Path]:
    html_path, csv_path = WORK / "daftar-anak-status-gizi.xls", WORK / "daftar-anak-status-gizi.csv"
    import csv

    with (
        open(html_path, "w", encoding="utf-8", newline="\n") as html,
        open(csv_path, "w", encoding="utf-8-sig", newline="") as raw,
    ):
        writer = csv.writer(raw, delimiter=";", lineterminator="\r\n")
        html.write(
            '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
            '<html xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">\n'
            '<head><meta http-equiv="Content-Type" content="application/vnd.ms-excel; charset=utf-8">\n'
            '<style>td { mso-number-format: "\\@"; border: .5pt solid #000; }</style></head>\n<body>\n'
            '<table border="1">\n<thead>\n'
            f'<tr><td colspan="{len(HEADERS)}"><b>Daftar Anak Berdasarkan Status Gizi</b></td></tr>\n'
            "<tr>" + "".join(f"<th>{h}</th>" for h in HEADERS) + "</tr>\n</thead>\n<tbody>\n"
        )
        writer.writerow(["Daftar Anak Berdasarkan Status Gizi"])
        writer.writerow(HEADERS)
        for i in range(rows):
            html_cells, plain = row(i)
            html.write("<tr>" + "".join(f"<td>{c}</td>" for c in html_cells) + "</tr>\n")
            writer.writerow(plain)
        html.write("</tbody>\n</table>\n</body>\n</html>\n")
    return html_path, csv_path


READERS = {
    "tumbuh": """
from tumbuh.imports.readers import HeaderSpec, inspect_source, open_table
import lxml.etree, openpyxl
def run(path):
    spec = HeaderSpec({"nik": ("NIK",), "date": ("Tanggal Pengukuran",), "age": ("Usia Saat Ukur",)},
                      required=(("nik",), ("date",)))
    with open(path, "rb") as source:
        info = inspect_source(source)
        table = open_table(source, info, spec)
        n, check = 0, ""
        for n, (_, cells) in enumerate(table.rows, start=1):
            check = cells[table.columns["age"]]
        return n, check
""",
    "csv": """
import csv
def run(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        n = -2
        for n, cells in enumerate(csv.reader(f, delimiter=";"), start=-1):
            check = cells[18] if len(cells) > 18 else ""
        return n, check
""",
    "pyarrow": f"""
import pyarrow.csv as pc
def run(path):
    table = pc.read_csv(path, read_options=pc.ReadOptions(skip_rows=1), parse_options=pc.ParseOptions(delimiter=";"),
                        convert_options=pc.ConvertOptions(column_types={{h: "string" for h in {HEADERS!r}}}))
    return table.num_rows, table.column("Usia Saat Ukur")[table.num_rows - 1].as_py()
""",
    "lxml-dom": """
import lxml.html, lxml.etree
def run(path):
    root = lxml.html.parse(path).getroot()
    rows = root.findall(".//tr")
    for br in rows[-1].iter("br"):
        br.tail = " " + (br.tail or "")
    return len(rows) - 2, rows[-1][18].text_content()
""",
}

RUNNER = """
import resource, sys, time, json
{code}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
n, check = run(sys.argv[1])
elapsed = time.perf_counter() - t
print(json.dumps({{"rows": n, "seconds": elapsed, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "base_kb": base, "last_age": check}}))
"""


def measure(reader: str, path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="tumbuh.settings")
    env.setdefault(
        "SECRET_KEY", "bench-only-key-not-for-production-b4b4b4b4b4b4b4b4b4b4b4b4"
    )  # production settings need a key of their own
    out = subprocess.run(
        [sys.executable, "-c", RUNNER.format(code=READERS[reader]), str(path)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    except OSError:
        lscpu = []
    keep = ("Architecture", "CPU(s):", "Model name", "Thread(s) per core", "Core(s) per socket")
    return "; ".join(" ".join(line.split()) for line in lscpu if line.startswith(keep)) or platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per reader; the fastest is reported")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    started = time.perf_counter()
    html_path, csv_path = write_files(args.rows)
    print(
        f"wrote {args.rows:,} rows in {time.perf_counter() - started:.1f} s: HTML {html_path.stat().st_size / 1e6:.1f} MB, "
        f"CSV {csv_path.stat().st_size / 1e6:.1f} MB",
        file=sys.stderr,
    )
    _, expected_age = row(args.rows - 1)[1][17:19]
    runs = [
        ("Tumbuh `open_table`, HTML .xls (lxml, streamed)", "tumbuh", html_path),
        ("Tumbuh `open_table`, same rows as CSV", "tumbuh", csv_path),
        ("peer: Python `csv.reader`, CSV", "csv", csv_path),
        ("peer: `pyarrow.csv.read_csv`, CSV (whole file, threads)", "pyarrow", csv_path),
        ("for memory: lxml parsing the HTML into one tree", "lxml-dom", html_path),
    ]
    results = []
    for label, reader, path in runs:
        best = None
        for _ in range(args.repeat):
            result = measure(reader, path)
            if best is None or result["seconds"] < best["seconds"]:
                best = result
        assert best["rows"] == args.rows, (label, best)
        assert best["last_age"] == expected_age, (label, best["last_age"], expected_age)
        best.update(label=label, reader=reader, file=path.name, file_mb=path.stat().st_size / 1e6)
        results.append(best)
        print(f"{label}: {best['rows'] / best['seconds']:,.0f} rows/s", file=sys.stderr)
    floor = next(r for r in results if r["reader"] == "csv")
    print(
        f"\n{args.rows:,} rows; HTML {results[0]['file_mb']:.0f} MB, CSV {results[1]['file_mb']:.0f} MB. Machine: {machine()}\n"
    )
    print("| | seconds | rows/s | vs `csv.reader` | peak RSS | RSS over start-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} | "
            f"{floor['seconds'] / r['seconds']:.2f}× | {r['peak_kb'] / 1024:.0f} MB | {(r['peak_kb'] - r['base_kb']) / 1024:.0f} MB |"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "html_import.json").write_text(
        json.dumps({"rows": args.rows, "machine": machine(), "results": results}, indent=1)
    )
    if not args.keep:
        shutil.rmtree(WORK)


if __name__ == "__main__":
    main()
