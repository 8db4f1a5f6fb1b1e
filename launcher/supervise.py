"""Keep ``make run``'s processes up: restart whichever exits, with backoff, and say so.

The web server, the Celery worker(s) and beat are supervised alike and independently: a worker
killed by the OOM killer, or beat losing Redis, is started again after a pause while the web server
keeps answering; a process that keeps dying waits longer each time (1 s doubling to a minute), and
one that stayed up a minute starts the next count from 1 s again. Whatever a dead process left in
its session (gunicorn's workers still holding the port, a pool child) is killed before the restart.

In production the same job belongs to systemd (``Restart=always``) or the platform running the
Procfile: see deploy/.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Say = Callable[[str], None]
Start = Callable[[bool], subprocess.Popen[bytes]]  # start(restart) -> the new process

MIN_BACKOFF = 1.0
MAX_BACKOFF = 60.0
STABLE_AFTER = 60.0  # seconds up after which a crash counts as the first of a new streak


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class Supervised:
    name: str
    start: Start
    process: subprocess.Popen[bytes]
    started_at: float
    log_path: Path | None = None
    restarts: int = 0
    backoff: float = 0.0
    restart_at: float | None = None  # a restart is due at this time
    exits: list[tuple[float, int]] = field(default_factory=list)


class Supervisor:
    """Polls its processes; restarts each that exited once its backoff has passed."""

    def __init__(self, say: Say, *, min_backoff: float = MIN_BACKOFF, max_backoff: float = MAX_BACKOFF,
                 stable_after: float = STABLE_AFTER, clock: Callable[[], float] = time.monotonic) -> None:
        self.say = say
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.clock = clock
        self.children: list[Supervised] = []

    def add(self, name: str, start: Start, log_path: Path | None = None) -> Supervised:
        child = Supervised(name, start, start(False), self.clock(), log_path)
        self.children.append(child)
        return child

    def poll(self) -> None:
        now = self.clock()
        for child in self.children:
            if child.restart_at is None:
                code = child.process.poll()
                if code is not None:
                    self._schedule(child, code, now)
            if child.restart_at is not None and now >= child.restart_at:
                self._restart(child)

    def _schedule(self, child: Supervised, code: int, now: float) -> None:
        child.exits.append((now, code))
        stable = now - child.started_at >= self.stable_after
        child.backoff = self.min_backoff if stable or not child.backoff else min(child.backoff * 2, self.max_backoff)
        child.restart_at = now + child.backoff
        where = f"; its log: {child.log_path}" if child.log_path else ""
        tail = f"; the end of its log:\n{log_tail(child.log_path, 8)}" if code > 0 and child.log_path else ""
        self.say(f"the {child.name} process exited ({describe_exit(code)}); restarting it in "
                 f"{child.backoff:g} s{where}{tail}")

    def _restart(self, child: Supervised) -> None:
        kill_session(child.process.pid)
        child.process = child.start(True)
        child.started_at = self.clock()
        child.restart_at = None
        child.restarts += 1
        self.say(f"restarted the {child.name} process (pid {child.process.pid}, restart {child.restarts})")


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def kill_session(pid: int) -> None:
    """SIGKILL what is left in a dead leader's session (children are started as session leaders)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
