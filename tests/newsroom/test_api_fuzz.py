"""Schemathesis against the served OpenAPI schema, in process (RELIABILITY A10).

Every phase runs (examples, coverage, fuzzing, stateful) with every built-in check, including
negative_data_rejection and ignored_auth, as a publisher's token (the publisher may call every
operation; ignored_auth drops and garbles the token to see each one refuse). The schema is fetched
from /api/schema/ like a client would, and requests go through Django's WSGI handler with the
whole middleware stack, in this process, against the real test PostgreSQL and Redis.

NEWSROOM_FUZZ_EXAMPLES sets the examples per operation (200 by default, RELIABILITY's number,
and half as many stateful scenarios; `make test` runs that, in 2 to 3 minutes on 2 cores).
NEWSROOM_FUZZ_SEED picks another seed than CI's fixed one, to explore (a failure prints the seed
that found it).
"""

from __future__ import annotations

import gc
import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import Client
from schemathesis.engine import Status, events, from_schema
from schemathesis.transport.wsgi import WSGITransport

from articles.serializers import EXTERNAL_ID_PATTERN, NOT_BLANK
from articles.tokens import create_api_token
from articles.wire.formats import MEDIA_TYPES as WIRE_MEDIA_TYPES
from tests.factories import UserFactory

MAX_EXAMPLES = int(os.environ.get("NEWSROOM_FUZZ_EXAMPLES", "200"))
SEED = int(os.environ.get("NEWSROOM_FUZZ_SEED", "20261124"))

# Schemathesis's defaults, plus what the API documents on purpose:
# - 422 is the answer to input the schema allows but that cannot be done as asked: the same
#   Idempotency-Key with another body, an HTML page without article text, a revision or story the
#   article does not have. The schema cannot say which keys were used or what a page holds.
# - publishing again without a correction note is 400 (RELIABILITY G2) although only the
#   article's state makes the note required.
# - the batch answers 207 with per-item errors when an item breaks the article schema (one bad
#   item does not sink the others, README); the batch's own shape is still refused with 400.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
CONFIG: dict[str, Any] = {
    "workers": 1,
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
    # Each stateful scenario chains up to 20 calls, so half as many scenarios still make several
    # thousand requests (and keep the test near 2 minutes on CI's 2 cores).
    "phases": {"stateful": {"max-steps": 20, "generation": {"max-examples": max(MAX_EXAMPLES // 2, 1)}}},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
    "operations": [
        {
            "include-operation-id": "articles_publish",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400", "422"]}},
        },
        {
            "include-operation-id": "articles_batch_ingest",
            "checks": {"negative_data_rejection": {"expected-statuses": [*REJECTED, "207"]}},
        },
    ],
}


@pytest.fixture
def wsgi_probes_without_socket_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Schemathesis 4.32 sends ignored_auth's probes through the WSGI transport with its socket
    options (max_redirects...) still set, which werkzeug's test client refuses (TypeError). Drop
    them, as the transport itself does for a requests session."""
    original = WSGITransport.send

    def send(self: WSGITransport, case: Any, *, session: Any = None, **kwargs: Any) -> Any:
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send)


@pytest.fixture
def publisher_key(transactional_db: None) -> Iterator[str]:
    """A token acting as a publisher. Transactional: Schemathesis calls the app from its own
    threads, which must see committed rows (and each holds its own connection, closed after)."""
    user = UserFactory(username="fuzz-chief", roles=["publisher"])
    yield create_api_token("fuzz-chief", user=user)[1]
    gc.collect()  # the engine's threads are gone; make sure their connections are closed
    connections.close_all()


def _describe(event: events.ScenarioFinished, case_id: str, check: Any) -> str:
    failure = check.failure_info.failure
    text = f"[{event.phase.value}] {event.recorder.label}: {check.name}: {failure.title}\n  {failure.message[:800]}"
    interaction = event.recorder.interactions.get(case_id)
    if interaction is not None:
        request, response = interaction.request, interaction.response
        body = request.body[:400] if request.body else None
        text += f"\n  {request.method} {request.uri}\n  body: {body!r}"
        if response is not None:
            text += f"\n  -> {response.status_code} {response.content[:400]!r}"
    return text


def fetch_schema(app: Any) -> dict[str, Any]:
    """The served OpenAPI document, as a client fetches it."""
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def json_request_bodies_only(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without the wire formats' request bodies (ninjs, NewsML-G2, NITF): their
    validity is IPTC's schemas and XML, which OpenAPI only names, so Schemathesis cannot tell a
    valid document from an invalid one. tests/articles/test_wire_in.py covers them against IPTC's
    own conformance suite and examples."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content:
                for media_type in [m for m in content if m in WIRE_MEDIA_TYPES]:
                    del content[media_type]
    return schema


def run_schemathesis(key: str) -> tuple[list[str], dict[str, int], dict[str, float]]:
    """Every phase against the app; returns the failures (described), the cases per operation and
    the seconds per phase."""
    config = schemathesis.Config.from_dict({**CONFIG, "headers": {"Authorization": f"Token {key}"}})
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_dict(json_request_bodies_only(fetch_schema(app)), config=config)
    schema.app, schema.location = app, "/api/schema/"
    problems: list[str] = []
    cases: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted):
            seconds[event.phase.name.value] = -event.timestamp
        elif isinstance(event, events.PhaseFinished):
            seconds[event.phase.name.value] = round(seconds[event.phase.name.value] + event.timestamp, 1)
        elif isinstance(event, events.ScenarioFinished):
            label = event.recorder.label
            cases[label] = cases.get(label, 0) + len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                problems.extend(
                    _describe(event, case_id, check)
                    for check in checks
                    if check.status == Status.FAILURE and check.failure_info is not None
                )
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            problems.append(f"schemathesis could not run: {event!r}")
    return problems, cases, seconds


@pytest.mark.usefixtures("wsgi_probes_without_socket_options")
def test_api_answers_every_generated_request_as_its_schema_says(publisher_key: str) -> None:
    started = time.monotonic()
    problems, cases, seconds = run_schemathesis(publisher_key)
    print(f"schemathesis: seed {SEED}, {sum(cases.values())} cases in {time.monotonic() - started:.0f} s "
          f"(by phase: {seconds}): {cases}")
    assert len(cases) >= 15, cases  # every operation ran, and the stateful phase too
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems)


def test_schema_patterns_agree_with_what_validation_calls_blank() -> None:
    """The schema's patterns spell Python's whitespace out as a character class; the serializers
    check blankness with str.strip(). Both must agree on every character."""
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates never reach a serializer (JSON parsing refuses them)
        char = chr(code)
        blank = char == "\x00" or char.isspace()
        assert (re.fullmatch(NOT_BLANK, char) is None) == blank, hex(code)
        control = code < 0x20 or 0x7F <= code <= 0x9F
        assert (re.fullmatch(EXTERNAL_ID_PATTERN, char) is None) == (blank or control), hex(code)
