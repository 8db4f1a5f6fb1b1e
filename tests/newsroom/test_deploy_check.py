"""Django's deployment checks pass with production settings, nothing silenced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_at_warning_level_with_production_settings() -> None:
    env = dict(os.environ, NEWSROOM_DEV="false", DEBUG="false", SECRET_KEY="x" * 20 + "-production-like-secret-0123456789abcdef",
               SECURE_HSTS_SECONDS="31536000", SECURE_SSL_REDIRECT="true", SECURE_HSTS_PRELOAD="true",
               ALLOWED_HOSTS="news.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 silenced" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY")}
    env.update(NEWSROOM_DEV="false", DEBUG="false")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
