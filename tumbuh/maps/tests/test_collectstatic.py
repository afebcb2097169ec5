"""Production's ``tumbuh collectstatic`` (docs/deployment.md) with its manifest storage.

WhiteNoise's ``CompressedManifestStaticFilesStorage`` rewrites every reference in CSS and JS to
the hashed name, and fails on a reference to a file that is not there: the vendored leaflet.js
ended with ``//# sourceMappingURL=leaflet.js.map`` (a map we do not ship), so a production
deployment could not collect its static files at all.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_production_collectstatic_succeeds_with_the_manifest(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUMBUH_") and k != "DATABASE_URL"}
    env |= {
        "SECRET_KEY": "test-collectstatic-" + "x" * 40,
        "ALLOWED_HOSTS": "tumbuh.example.go.id",
        "TUMBUH_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tumbuh.cli", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/leaflet/leaflet.js"]
    assert hashed != "vendor/leaflet/leaflet.js"
    assert (tmp_path / "static" / hashed).exists() and (tmp_path / "static" / (hashed + ".gz")).exists()
