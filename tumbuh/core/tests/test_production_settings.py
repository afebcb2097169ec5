"""Production settings, as a fresh process reads them from the environment.

Production refuses to start without its own SECRET_KEY (a public development key would let
anyone sign sessions); a developer machine, the demo and the test suite start with one. With
only a key and its host names, production is HTTPS-only (redirect, HSTS): a plain-HTTP
intranet switches that off explicitly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def _start(tmp_path, *args: str, **env) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "TUMBUH_DEBUG", "TUMBUH_DEMO", "TUMBUH_TESTING", "DATABASE_URL"}
    }
    base.update({
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings", "PYTHONPATH": str(ROOT), "TUMBUH_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "tumbuh.example.go.id", "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    })  # fmt: skip
    base.update(env)
    command = [sys.executable, *(args or ["-c", SETUP])]
    return subprocess.run(command, env=base, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    done = _start(tmp_path)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY is not set" in done.stderr
    assert "tumbuh-insecure" not in done.stdout


def test_an_empty_secret_key_is_no_key(tmp_path):
    done = _start(tmp_path, SECRET_KEY="  ")
    assert done.returncode != 0 and "SECRET_KEY is not set" in done.stderr


def test_production_with_its_own_key_starts_with_it(tmp_path):
    key = "prod-" + "k3" * 30
    done = _start(tmp_path, SECRET_KEY=key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == key


@pytest.mark.parametrize("flag", ["TUMBUH_DEBUG", "TUMBUH_DEMO"])
def test_a_developer_machine_and_the_demo_start_with_the_development_key(tmp_path, flag):
    done = _start(tmp_path, **{flag: "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("tumbuh-insecure-development-key")


KEY = "prod-" + "k3" * 30
SECURITY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
)


def test_production_with_only_a_key_and_hosts_passes_the_deploy_check(tmp_path):
    done = _start(tmp_path, "-m", "tumbuh.cli", "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    secure = _start(tmp_path, "-c", SECURITY, SECRET_KEY=KEY)
    assert secure.stdout.split() == ["True", "31536000", "True", "True"]


def test_a_plain_http_intranet_switches_https_off_explicitly(tmp_path):
    done = _start(tmp_path, "-c", SECURITY, SECRET_KEY=KEY, TUMBUH_SSL_REDIRECT="0", TUMBUH_HSTS_SECONDS="0",
                  TUMBUH_SECURE_COOKIES="0")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "0", "False", "False"]
    check = _start(tmp_path, "-m", "tumbuh.cli", "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=KEY,
                   TUMBUH_SSL_REDIRECT="0", TUMBUH_HSTS_SECONDS="0")  # fmt: skip
    assert check.returncode != 0 and "security.W008" in check.stderr + check.stdout  # and the check says so


@pytest.mark.parametrize("flag", ["TUMBUH_DEBUG", "TUMBUH_DEMO"])
def test_the_demo_and_a_developer_machine_serve_plain_http(tmp_path, flag):
    done = _start(tmp_path, "-c", SECURITY, **{flag: "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["False", "0"]
