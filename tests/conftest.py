"""Shared fixtures: API clients with real tokens, and a real Celery worker process on Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from articles.tokens import create_api_token
from newsroom.roles import ROLES
from tests.support import Worker, flush_test_broker, worker_env

# A parallel run (`make test`: -n 3 --dist loadfile) hands out whole modules in collection order:
# the longest ones (servers of their own, the chaos run) go first, so that the other processes share
# the rest of the suite meanwhile instead of one process finishing them alone at the end.
_LONGEST_FIRST = ("tests/test_chaos_run.py", "tests/launcher/test_run_supervision.py",
                  "tests/newsroom/test_api_fuzz.py", "tests/launcher/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(_LONGEST_FIRST) if item.nodeid.startswith(prefix)),
                    len(_LONGEST_FIRST))

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture
def token_client(db: None) -> Iterator[APIClient]:
    """A DRF test client authenticated with a freshly created ingestion token."""
    client_row, key = create_api_token(f"test-client-{uuid.uuid4().hex[:8]}")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.api_client = client_row  # type: ignore[attr-defined]
    api.key = key  # type: ignore[attr-defined]
    yield api


@pytest.fixture
def roles(db: None) -> dict[str, Group]:
    """The role groups (transactional tests truncate the ones the migration created)."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}


@pytest.fixture
def celery_worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    """A real worker process consuming the test Redis, writing to the test database."""
    flush_test_broker()
    worker = Worker(worker_env(), tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()
    flush_test_broker()


@pytest.fixture
def private_feeds_allowed(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Feeds may point at 127.0.0.1, where tests serve them (articles.feed_addresses refuses it by
    default): in this process and in worker processes started after this fixture."""
    monkeypatch.setenv("NEWSROOM_FEED_ALLOW_PRIVATE", "true")
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True


@pytest.fixture(autouse=True)
def fresh_reference_snapshot() -> Iterator[None]:
    """Forget the reference snapshot a process keeps (corrections.reference). A test's transaction
    is rolled back, and the ReferenceVersion row with it, so a later test can reach the very
    version number an earlier one cached a snapshot of, with other rows behind it."""
    from corrections import reference

    reference._cached = None
    yield
