"""The settings module: production passes `check --deploy`, and bad values fail loudly.

Each case runs Django in a subprocess with a clean environment, because settings are read
once at import time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD = {"DEBUG": "0", "SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-enough", "ALLOWED_HOSTS": "example.com"}


def manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    # Not inherited: what the test run sets (DJANGO_ALLOW_ASYNC_UNSAFE is for Playwright only).
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT",
            "TRUST_X_FORWARDED_PROTO"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    # ENV_FILE: never the checkout's own .env (make run's development settings).
    clean.update({"VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT), "ENV_FILE": str(tmp_path / "none"), **env})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=tmp_path, env=clean,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_passes_in_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_behind_a_tls_proxy_that_sets_x_forwarded_proto(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", TRUST_X_FORWARDED_PROTO="1", **PROD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_turning_the_ssl_redirect_off_is_reported_by_check_deploy(tmp_path):
    # For a proxy that redirects to HTTPS itself: allowed, but the check says so (W008).
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="0", **PROD)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DEBUG", "maybe", "Unexpected value DEBUG='maybe'"),
    ("COMMENT_FLOOD_INTERVAL", "soon", "expected a whole number"),
    ("COMMENT_FLOOD_INTERVAL", "-5", "must be at least 0"),
    ("PORT", "0", "must be at least 1"),
    ("SECURE_SSL_REDIRECT", "sometimes", "Unexpected value SECURE_SSL_REDIRECT"),
])
def test_a_bad_value_fails_loudly(tmp_path, name, value, message):
    result = manage(tmp_path, "check", **{**PROD, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(tmp_path, "check", "--deploy", DEBUG="0", ALLOWED_HOSTS="example.com")
    assert "SECRET_KEY must be set" in result.stderr
    serving = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path / "var"), "ALLOWED_HOSTS": "example.com",
             "ENV_FILE": str(tmp_path / "none")},
    )
    assert "SECRET_KEY must be set" in serving.stderr


def test_a_development_checkout_needs_no_production_secrets(tmp_path):
    # `make run` writes DEBUG=1 into .env; then `manage.py help seed_demo` or `shell` just work.
    result = manage(tmp_path, "help", "seed_demo", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "--comments" in result.stdout


def test_production_refuses_a_wildcard_host(tmp_path):
    result = manage(tmp_path, "check", "--deploy", **{**PROD, "ALLOWED_HOSTS": "*"})
    assert "is refused in production" in result.stderr


def test_the_env_helpers_read_what_they_document(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import env_bool, env_int, env_list

    monkeypatch.setenv("X_BOOL", " Yes ")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.com, b.com,,")
    assert env_bool("X_BOOL", False) is True
    assert env_bool("X_UNSET_BOOL", True) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a.com", "b.com"]
    monkeypatch.setenv("X_BOOL", "2")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
