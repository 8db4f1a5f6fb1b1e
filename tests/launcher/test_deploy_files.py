"""deploy/: production supervises the same processes make run does, and restarts them for ever."""

from __future__ import annotations

import configparser
import shlex

import pytest

from launcher.run import ChildSpec, child_specs
from tests.support import ROOT

DEPLOY = ROOT / "deploy"


def program(spec: ChildSpec) -> list[str]:
    """The words that say what a process is: ``gunicorn newsroom.wsgi:application``, ``celery -A
    newsroom worker``..."""
    args = spec.args[1:] if spec.args[0] == "-m" else spec.args
    return args[:2] if args[0] == "gunicorn" else args[:4]


def contains(words: list[str], part: list[str]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words)))


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = shlex.split(command)
    return entries


@pytest.mark.parametrize("spec", child_specs(8000), ids=lambda spec: spec.name)
def test_the_procfile_runs_each_process_make_run_supervises(spec: ChildSpec) -> None:
    entries = procfile()
    assert spec.name in entries
    assert contains(entries[spec.name], program(spec)), (entries[spec.name], program(spec))


@pytest.mark.parametrize("spec", child_specs(8000), ids=lambda spec: spec.name)
def test_each_systemd_unit_restarts_its_process_for_ever(spec: ChildSpec) -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / f"newsroom-{spec.name}.service")
    service = unit["Service"]
    assert service["Restart"] == "always"
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["EnvironmentFile"] == "/etc/newsroom/newsroom.env"
    executable, *rest = shlex.split(service["ExecStart"])
    assert contains([executable.rsplit("/", 1)[-1], *rest], program(spec))


def test_beat_runs_once_and_the_target_holds_web_and_worker_only() -> None:
    target = (DEPLOY / "systemd" / "newsroom.target").read_text()
    assert "newsroom-web.service" in target and "newsroom-worker.service" in target
    assert "newsroom-beat" not in target  # beat is enabled on one machine by hand


def queues_of(words: list[str]) -> set[str]:
    """The queues a ``celery worker`` command line consumes (-Q, with the defaults the deploy files
    give their variables); a worker without -Q consumes every declared queue."""
    from django.conf import settings

    if "-Q" not in words:
        return set(settings.NEWSROOM_QUEUES)
    value = words[words.index("-Q") + 1]
    for name, default in (("${WORKER_QUEUES:-passes,refresh}", "passes,refresh"),
                          ("${NEWSROOM_WORKER_QUEUES}", "passes,refresh")):
        value = value.replace(name, default)
    return set(value.split(","))


def test_the_workers_of_make_run_the_procfile_and_systemd_consume_every_queue() -> None:
    from django.conf import settings

    every = set(settings.NEWSROOM_QUEUES)
    run = [spec.args for spec in child_specs(8000) if contains(spec.args, ["worker"])]
    assert set().union(*(queues_of(args) for args in run)) == every
    assert set().union(*(queues_of(words) for words in procfile().values() if contains(words, ["worker"]))) == every
    units = []
    for path in sorted((DEPLOY / "systemd").glob("newsroom-*.service")):
        unit = configparser.ConfigParser(interpolation=None, strict=False)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read(path)
        words = shlex.split(unit["Service"]["ExecStart"])
        if contains(words, ["worker"]):
            assert "-Q" in words, path.name
            units.append(words)
    assert set().union(*(queues_of(words) for words in units)) == every
    assert "newsroom-maintenance.service" in (DEPLOY / "systemd" / "newsroom.target").read_text()
