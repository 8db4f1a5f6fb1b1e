"""Management commands: create_api_token, ingest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import ApiClient, Article
from articles.tokens import authenticate_key

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_the_key_on_the_last_line() -> None:
    out = io.StringIO()
    call_command("create_api_token", "wire-feed", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert authenticate_key(key).name == "wire-feed"
    assert ApiClient.objects.get(name="wire-feed").key_hash != key


def test_create_api_token_refuses_a_taken_name() -> None:
    call_command("create_api_token", "dup", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_api_token", "dup", stdout=io.StringIO(), stderr=io.StringIO())


def test_ingest_reads_files_and_folders_with_the_first_line_as_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline A\nBody of A.", encoding="utf-8")
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "b.txt").write_text("Headline B\nBody of B.", encoding="utf-8")
    out = io.StringIO()
    call_command("ingest", str(tmp_path), "--source", "files", stdout=out, stderr=io.StringIO())
    assert "2 new articles" in out.getvalue()
    article = Article.objects.get(external_id="a")
    assert article.title == "Headline A"
    assert article.revisions.get(number=1).text == "Headline A\nBody of A."


def test_ingest_names_a_missing_path() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "/nonexistent/path.txt", stdout=io.StringIO(), stderr=io.StringIO())
