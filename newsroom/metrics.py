"""Prometheus metrics: the events, counted where they happen through the functions below.

Each function is called from one line at the place of its event (the request middleware, ingestion,
the pipeline, the desk's decisions), so that the counting itself lives here and nowhere else.
What *is* (queue depth, outbox rows by state) is not counted in processes at all: the scrape
computes it from Redis and PostgreSQL (``newsroom.scrape``), so it is right however many processes
serve.

Several processes count: gunicorn's workers, Celery's forked pool processes. prometheus_client's
multiprocess mode keeps each process's values in a file under ``PROMETHEUS_MULTIPROC_DIR`` and the
scrape adds them up, so a pass timed in a worker shows on the web's ``/metrics``. The variable must
be set, to the same empty directory for every process of the host, before any of them starts
(``make run`` does so under ``.data/metrics``); without it a process counts for itself only.

Label values are bounded: views are URL names; sources are capped per process
(``NEWSROOM_METRICS_MAX_SOURCES``, the rest count as ``other``), because clients create sources
by naming them; formats are media types the parsers accepted; passes, kinds and decisions come
from the code.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter as Tally
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from prometheus_client import Counter, Histogram

OTHER = "other"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,40}/[a-z0-9][a-z0-9!#$&^_.+-]{0,60}$")

HTTP_REQUESTS = Counter(
    "newsroom_http_requests", "HTTP requests answered, by URL name, method and status.",
    ["view", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "newsroom_http_request_duration_seconds", "Time to answer an HTTP request, by URL name.", ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INGESTED = Counter(
    "newsroom_ingested_articles",
    "Article copies taken in, by source, request media type and outcome (created: a new article; "
    "revision: a changed body; unchanged: an identical re-send; withdrawn: a kill notice).",
    ["source", "format", "outcome"],
)
PIPELINE_LATENCY = Histogram(
    "newsroom_pipeline_latency_seconds",
    "From ingestion (the job row's creation) to the article's suggestions being ready for review.",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
)
JOBS_FINISHED = Counter(
    "newsroom_pipeline_jobs_finished", "Pipeline jobs that ended, by final state (done or failed).", ["state"],
)
PASS_SECONDS = Histogram(
    "newsroom_pass_duration_seconds", "Time one pass took on one revision, by pass.", ["pass_name"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SUGGESTIONS = Counter(
    "newsroom_suggestions",
    "Suggestions by kind and what became of them: proposed by a pass, accepted, edited (accepted with "
    "the editor's replacement), rejected, or applied by the auto-apply policy.",
    ["kind", "decision"],
)

_sources_lock = threading.Lock()
_sources_seen: set[str] = set()


# --- the events -----------------------------------------------------------------------------------


def count_request(view: str, method: str, status: int, seconds: float) -> None:
    """One answered HTTP request (``view`` is the URL name, "" when no URL matched)."""
    name = view or "unresolved"
    HTTP_REQUESTS.labels(name, method if method in _METHODS else OTHER, str(status)).inc()
    HTTP_SECONDS.labels(name).observe(seconds)


def count_ingested(source: str, media_type: str, outcome: str) -> None:
    """One article copy taken in, counted when the ingesting transaction commits."""
    labels = (_source_label(source), _format_label(media_type), outcome)
    transaction.on_commit(lambda: INGESTED.labels(*labels).inc())


def observe_pass(pass_name: str, seconds: float, kinds: Iterable[str]) -> None:
    """One pass run on one revision: its duration and the kinds of the suggestions it proposed."""
    PASS_SECONDS.labels(pass_name).observe(seconds)
    count_suggestions(kinds, "proposed")


def count_suggestions(kinds: Iterable[str], decision: str) -> None:
    """Suggestions of ``kinds`` (one entry per suggestion) reached ``decision``, on commit."""
    tally = Tally(kinds)

    def count() -> None:
        for kind, n in tally.items():
            SUGGESTIONS.labels(kind, decision).inc(n)

    if tally:
        transaction.on_commit(count)


def count_job_finished(state: str, created_at: datetime) -> None:
    """A pipeline job ended ``done`` or ``failed``; a done job's latency since ingestion, on commit."""

    def count() -> None:
        JOBS_FINISHED.labels(state).inc()
        if state == "done":
            PIPELINE_LATENCY.observe(max((timezone.now() - created_at).total_seconds(), 0.0))

    transaction.on_commit(count)


# --- labels ---------------------------------------------------------------------------------------


def _source_label(source: str) -> str:
    with _sources_lock:
        if source in _sources_seen:
            return source
        if len(_sources_seen) < settings.NEWSROOM_METRICS_MAX_SOURCES:
            _sources_seen.add(source)
            return source
    return OTHER


def _format_label(media_type: str) -> str:
    bare = media_type.split(";", 1)[0].strip().lower()
    return bare if _MEDIA_TYPE.match(bare) else OTHER


# --- the processes' shared directory --------------------------------------------------------------


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
