"""Fixtures of the desk's tests: an editor, signed in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def editor(db: None) -> object:
    return UserFactory(username="edna", roles=["editor"])


@pytest.fixture
def desk(editor: object) -> Client:
    client = Client()
    client.force_login(editor)
    return client
