"""Which PostgreSQL and Redis a ``manage.py`` command uses when no URL is given: those of the
``make run`` going on in this folder.

``make run`` (and ``make services``) write what they hold to ``.data/run/owner-<pid>.json``
(launcher/services.py, ``Services.save``): the owner's pid, its mode, ``database_url``,
``redis_url`` and what it started. Reading those records here lets ``manage.py create_api_token``
reach the embedded servers of a ``NEWSROOM_EMBEDDED=1 make run`` (a Unix socket and a random port no
one would type) without copying its URLs by hand.

The rules, for a variable left unset (an explicit ``DATABASE_URL`` or ``REDIS_URL`` always wins):

- a live ``make run`` in this folder: its URLs; with ``NEWSROOM_EMBEDDED=1`` only one that holds
  embedded servers, or else a live ``make services`` that does;
- none, with ``NEWSROOM_EMBEDDED=1``: an error saying how to start the embedded servers, never the
  local default, which could be another database named ``newsroom``;
- none, otherwise: the local defaults (settings.py).

Standard library only: settings.py reads this before Django is set up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_KINDS = ("embedded-postgres", "embedded-redis")


class EmbeddedNotRunning(Exception):
    """``NEWSROOM_EMBEDDED=1`` asks for servers that nothing in this folder holds."""


def data_dir(environ: Mapping[str, str]) -> Path:
    """Where make run writes its records: the same rule as launcher/services.py's DATA_DIR."""
    return Path(environ.get("NEWSROOM_DATA_DIR") or ROOT / ".data")


def _alive(pid: object) -> bool:
    """Like launcher.services.pid_alive, which the application may not import (the launcher is no
    part of it, and services.py runs as a bare script before the virtualenv exists)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_owners(folder: Path) -> list[dict[str, Any]]:
    """The records of the runs still going on, ``make run`` before ``make services``."""
    owners = []
    for path in sorted((folder / "run").glob("owner-*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and _alive(record.get("pid")) and record.get("database_url"):
            owners.append(record)
    return sorted(owners, key=lambda o: o.get("mode") != "run")


def holds_embedded(owner: Mapping[str, Any], owners: list[dict[str, Any]]) -> bool:
    """The owner's servers are embedded ones: it started them, or reuses those another live owner started."""
    def started(record: Mapping[str, Any]) -> set[str]:
        return {str(item.get("kind")) for item in record.get("started", []) if isinstance(item, dict)}

    if started(owner) & set(EMBEDDED_KINDS):
        return True
    return any(started(other) & set(EMBEDDED_KINDS) and other.get("database_url") == owner.get("database_url")
               for other in owners)


def truthy(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


def server_urls(environ: Mapping[str, str]) -> dict[str, str]:
    """``DATABASE_URL`` and ``REDIS_URL`` for the variables ``environ`` leaves unset (an empty dict
    when both are set or no run is found). Raises EmbeddedNotRunning (see the module's rules)."""
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not environ.get(name) and not environ.get(f"{name}_FILE")]
    if not missing:
        return {}
    embedded = truthy(environ.get("NEWSROOM_EMBEDDED"))
    folder = data_dir(environ)
    live = live_owners(folder)
    if embedded:
        owners = [o for o in live if holds_embedded(o, live)]
    else:  # a make services or make test was given its URLs or uses the defaults anyway
        owners = [o for o in live if o.get("mode") == "run"]
    if owners:
        owner = owners[0]
        urls = {"DATABASE_URL": str(owner.get("database_url") or ""), "REDIS_URL": str(owner.get("redis_url") or "")}
        return {name: urls[name] for name in missing if urls[name]}
    if embedded:
        raise EmbeddedNotRunning(
            f"NEWSROOM_EMBEDDED=1, but no make run in {ROOT if folder == ROOT / '.data' else folder} holds the "
            "embedded PostgreSQL and Redis, so there is no database to use (the local default could be "
            "another one named 'newsroom')",
        )
    return {}


HOW_TO_START = ("start them in another terminal with `NEWSROOM_EMBEDDED=1 make run` (or `NEWSROOM_EMBEDDED=1 "
                "make services` for the servers alone), then run this command again; or set DATABASE_URL "
                "and REDIS_URL")
