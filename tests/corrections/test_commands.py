"""Management commands: load_seeds."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

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
