"""Settings helpers read the environment and fail loudly on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
)


@pytest.mark.parametrize(("raw", "expected"), [(None, True), ("true", True), ("false", False)])
def test_env_bool_reads_true_and_false(monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: bool) -> None:
    if raw is None:
        monkeypatch.delenv("FLAG", raising=False)
    else:
        monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is expected


@pytest.mark.parametrize(("helper", "raw", "message"), [
    (lambda: env_bool("V", False), "yes", "must be true or false"),
    (lambda: env_int("V", 1), "many", "whole number"),
    (lambda: env_int("V", 1, minimum=5), "2", "at least 5"),
    (lambda: env_rate("V", "1/s"), "fast", "100/s"),
    (lambda: env_choice("V", "plain", ("plain", "json")), "xml", "one of plain, json"),
    (lambda: env_networks("V", []), "127.0.0.1,localhost", "'localhost' is not an IP address"),
])
def test_bad_values_fail_loudly_naming_the_variable(monkeypatch: pytest.MonkeyPatch, helper, raw: str, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("V", raw)
    with pytest.raises(ImproperlyConfigured, match=message) as info:
        helper()
    assert "V" in str(info.value)


def test_secret_may_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret"))
    assert env_str("SECRET_KEY", "default") == "s3cret"


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(("url", "name", "host", "port", "user"), [
    ("postgres://postgres@127.0.0.1:5432/newsroom", "newsroom", "127.0.0.1", "5432", "postgres"),
    ("postgresql://u:p%40ss@db/news", "news", "db", "", "u"),
    ("postgres://postgres@/newsroom?host=/tmp/pg", "newsroom", "/tmp/pg", "", "postgres"),
])
def test_database_url_becomes_a_django_database(url: str, name: str, host: str, port: str, user: str) -> None:
    db = database_from_url(url)
    assert (db["NAME"], db["HOST"], db["PORT"], db["USER"]) == (name, host, port, user)


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/"])
def test_bad_database_url_is_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)
