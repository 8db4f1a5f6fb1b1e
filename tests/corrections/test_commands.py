"""Management commands: load_seeds, and reading the seeds through the API as the README says."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from articles.models import Article
from corrections.models import Entity, StyleRule

pytestmark = pytest.mark.django_db


def test_load_seeds_loads_reference_data_and_the_five_seeds_once() -> None:
    for _ in range(2):
        call_command("load_seeds", stdout=io.StringIO(), stderr=io.StringIO())
    assert Article.objects.filter(source__slug__startswith="seed-outlet-").count() == 5
    assert Article.objects.get(source__slug="seed-outlet-000").revision_number == 1
    assert Entity.objects.filter(name="Volodymyr Zelensky").exists()
    assert Entity.objects.filter(type="place", description="country").count() > 150
    assert StyleRule.objects.filter(pattern="Kiev", replacement="Kyiv").exists()


def test_the_seeds_are_read_by_a_token_tied_to_an_editor_as_the_readme_says(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "manage.py create_api_token my-reader --user YOUR_USERNAME" in readme
    call_command("load_seeds", stdout=io.StringIO(), stderr=io.StringIO())
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct horse battery staple")
    call_command("createsuperuser", "--noinput", "--username", "edna", "--email", "edna@example.org",
                 stdout=io.StringIO(), stderr=io.StringIO())

    def listed(*args: str) -> list[str]:
        out = io.StringIO()
        call_command("create_api_token", *args, stdout=out, stderr=io.StringIO())
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip().splitlines()[-1]}")
        answer = api.get("/api/v1/articles/")
        assert answer.status_code == 200
        return sorted(a["source"] for a in answer.json()["results"])

    # A plain token reads what it sent: none of the seeds.
    assert listed("my-scraper") == []
    # Tied to the editor, as the README says: all five.
    assert listed("my-reader", "--user", "edna") == [f"seed-outlet-00{i}" for i in range(5)]
