"""The API under hostile input and hostile clients (RELIABILITY A3, A4, A7, A8, A9, B3, B8, D6, D7).

What test_ingest_api.py covers already (A1, A2, A5, A6, the basic 413 and nesting cases, tokens)
is not repeated here.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import RequestFactory, override_settings
from django.test.client import ClientHandler
from rest_framework.test import APIClient

from articles.models import ApiClient, Article, IngestRequest, Revision
from articles.parsers import RequestTooLarge, StrictJSONParser
from articles.stories import join_story
from articles.throttling import ClientRateThrottle
from articles.tokens import create_api_token
from corrections import pipeline
from corrections.models import PassRun, PipelineJob
from tests.articles.helpers import ingest
from tests.corrections.desk import suggest

URL = "/api/v1/articles/"
BATCH = "/api/v1/articles/batch/"
MIB = 1024 * 1024


def article(**overrides: Any) -> dict[str, Any]:
    data = {"source": "wire", "external_id": "story-1", "title": "Kremlin plays down summit",
            "body": "The Kremlin played down talk of a summit.\n\nMore follows."}
    data.update(overrides)
    return data


def api_for(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


# --- A3: bodies over the limit --------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A request body that remembers how many bytes the application read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def call_wsgi(key: str, path: str, body: bytes) -> tuple[int, dict[str, Any], CountingStream, float, int]:
    """POST ``body`` through Django's request handler as a WSGI server hands it over (the test
    client's handler, which keeps the test's transaction open), twice: once timed, once with
    tracemalloc on (it slows Python several times over, so it would swamp the time). Only for
    requests that are refused: both must get the same answer. Returns the status, the JSON answer,
    the traced call's body stream, the seconds of the timed call and the peak memory allocated
    during the traced one."""

    def send() -> tuple[Any, CountingStream]:
        environ = RequestFactory().generic("POST", path, b"", content_type="application/json",
                                           HTTP_AUTHORIZATION=f"Token {key}").environ
        stream = CountingStream(body)
        environ.update({"wsgi.input": stream, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json"})
        return ClientHandler()(environ), stream

    started = time.perf_counter()
    timed, _ = send()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        response, stream = send()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response["Content-Type"] == "application/json"
    assert (timed.status_code, timed.content) == (response.status_code, response.content)
    return response.status_code, json.loads(response.content), stream, elapsed, peak


@pytest.mark.django_db
@override_settings(NEWSROOM_MAX_REQUEST_BYTES=1 * MIB)
def test_ten_mib_article_over_the_limit_is_413_json_without_reading_the_body(token_client: APIClient) -> None:
    body = json.dumps(article(body="x" * (10 * MIB))).encode()
    status, answer, stream, elapsed, peak = call_wsgi(token_client.key, URL, body)
    assert status == 413
    assert "limit of 1048576 bytes" in answer["detail"]
    assert stream.bytes_read <= 1 * MIB + 1
    assert elapsed < 1.0
    assert peak < 5 * MIB  # the 10 MiB were never copied
    assert IngestRequest.objects.count() == 0
    assert token_client.post(URL, article(), format="json").status_code == 201


@pytest.mark.django_db
@override_settings(NEWSROOM_MAX_BATCH_BYTES=1 * MIB)
def test_ten_mib_batch_over_the_limit_is_413_json_without_reading_the_body(token_client: APIClient) -> None:
    items = [article(external_id=f"b{i}", body="y" * (MIB // 2)) for i in range(20)]
    body = json.dumps({"articles": items}).encode()
    assert len(body) > 10 * MIB
    status, answer, stream, elapsed, peak = call_wsgi(token_client.key, BATCH, body)
    assert status == 413
    assert "NEWSROOM_MAX_BATCH_BYTES" in answer["detail"]
    assert stream.bytes_read <= 1 * MIB + 1
    assert elapsed < 1.0
    assert peak < 5 * MIB
    assert IngestRequest.objects.count() == 0
    assert token_client.post(BATCH, {"articles": [article()]}, format="json").status_code == 200


@pytest.mark.parametrize("declared_length", [None, "not a number"])
@override_settings(NEWSROOM_MAX_REQUEST_BYTES=1 * MIB)
def test_parser_reads_at_most_one_byte_past_the_limit_when_the_length_is_not_declared(
    declared_length: str | None,
) -> None:
    stream = CountingStream(b"[" + b" " * (10 * MIB) + b"]")
    request = RequestFactory().post(URL)
    request.META.pop("CONTENT_LENGTH", None)
    if declared_length is not None:
        request.META["CONTENT_LENGTH"] = declared_length
    with pytest.raises(RequestTooLarge):
        StrictJSONParser().parse(stream, "application/json", {"request": request, "view": None})
    assert stream.bytes_read == 1 * MIB + 1


# --- A4: deep nesting -----------------------------------------------------------------------------


def nested_objects(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "raw"),
    [
        (URL, b"[" * 100_000 + b"]" * 100_000),
        (BATCH, b'{"articles": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        (URL, json.dumps(article(title=nested_objects(1000))).encode()),
        (URL, json.dumps(article(published_at=nested_objects(1000))).encode()),
    ],
    ids=["100k-arrays", "100k-arrays-in-batch", "1k-objects-as-title", "1k-objects-as-date"],
)
def test_deep_nesting_is_400_without_recursion_error_in_the_logs(
    token_client: APIClient, caplog: pytest.LogCaptureFixture, path: str, raw: bytes
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = token_client.generic("POST", path, raw, content_type="application/json")
    assert response.status_code == 400
    assert "RecursionError" not in caplog.text and "Traceback" not in caplog.text
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_deep_nesting_inside_a_batch_item_fails_only_that_item(
    token_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    items = [article(external_id="fine"), article(external_id="deep", body=nested_objects(1000))]
    with caplog.at_level(logging.DEBUG):
        response = token_client.post(BATCH, {"articles": items}, format="json")
    assert response.status_code == 207
    results = response.json()["results"]
    assert results[0]["created"] is True and "body" in results[1]["errors"]
    assert "RecursionError" not in caplog.text


# --- A7, A8: text round-trips exactly; invisible characters are counted ----------------------------

UNICODE_TEXTS = {
    "arabic": "\u0642\u0627\u0644 \u0627\u0644\u0631\u0626\u064a\u0633 \u0625\u0646 \u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0627\u062a \u0645\u0633\u062a\u0645\u0631\u0629.",
    "hebrew": "\u05d4\u05e9\u05e8 \u05d0\u05de\u05e8 \u05e9\u05d4\u05e9\u05d9\u05d7\u05d5\u05ea \u05d9\u05de\u05e9\u05d9\u05db\u05d5.",
    "zwj-emoji": "Family \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 and thumbs \U0001f44d\U0001f3fd up.",
    "combining": "Cafe\u0301 au lait, nai\u0308ve re\u0301sume\u0301 (not NFC).",
    "zero-width": "zero\u200bwidth space and zero\u200djoiner inside words.",
    "astral": "Grinning \U0001f600, CJK extension B \U00020000, Gothic \U00010348.",
    "mixed-rtl": "He said \u05e9\u05dc\u05d5\u05dd and \u0633\u0644\u0627\u0645 then left.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(UNICODE_TEXTS))
def test_unicode_text_comes_back_exactly_with_code_point_lengths(token_client: APIClient, name: str) -> None:
    text = UNICODE_TEXTS[name]
    created = token_client.post(URL, article(external_id=name, title=text, body=text), format="json")
    assert created.status_code == 201
    article_id = created.json()["id"]
    fetched = token_client.get(f"{URL}{article_id}/").json()
    assert fetched["text"] == text and fetched["title"] == text
    assert token_client.get(f"{URL}{article_id}/revisions/1/").json()["text"] == text
    revisions = token_client.get(f"{URL}{article_id}/revisions/").json()["results"]
    assert revisions[0]["length"] == len(text)  # code points, the unit the schema declares
    assert Revision.objects.get(article_id=article_id, number=1).text == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "body", "count"),
    [
        ("Plain title", "C0 \x01\x02 and DEL \x7f here.", 3),
        ("Plain title", "C1 \x80 and \x9f here.", 2),
        ("Evil \u202etxt.exe", "Overrides \u202a\u202b\u202c\u202d here.", 5),
        ("Isolates", "Isolates \u2066x\u2067y\u2068z\u2069 here.", 4),
        ("Zero\u200bwidth", "BOM \ufeff and soft\xadhyphen.", 3),
        ("Tabs\tare fine", "Lines\r\nand\ttabs are not counted.", 0),
    ],
)
def test_control_and_bidi_characters_are_stored_and_counted(
    token_client: APIClient, title: str, body: str, count: int
) -> None:
    created = token_client.post(URL, article(title=title, body=body), format="json")
    assert created.status_code == 201, created.content
    fetched = token_client.get(f"{URL}{created.json()['id']}/").json()
    assert (fetched["title"], fetched["text"]) == (title, body)
    assert fetched["invisible_chars"] == count


# --- A9: pathological single tokens -----------------------------------------------------------------

PATHOLOGICAL = {
    "2mb-no-whitespace": ("abcdefghij" * 200_000)[:2_000_000],
    "200k-one-character": "a" * 200_000,
    "50k-lines-of-aaaa!": "\n".join("aaaaaaaaaaaaaaaaaaaa!" for _ in range(50_000)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_body_is_answered_within_two_seconds(token_client: APIClient, name: str) -> None:
    started = time.perf_counter()
    response = token_client.post(URL, article(external_id=name, body=PATHOLOGICAL[name]), format="json")
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 201
    assert response.json()["text"] == PATHOLOGICAL[name]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pipeline_finishes_a_pathological_body_well_within_the_soft_time_limit(name: str) -> None:
    client, _ = create_api_token(f"a9-{name}")
    outcome = ingest(client, external_id=name, body=PATHOLOGICAL[name])
    job = PipelineJob.objects.get(revision=outcome.revision)
    started = time.perf_counter()
    pipeline.run_job(job.pk)
    # Each pass takes about a second at most on these; the task's soft limit is 120 s.
    assert time.perf_counter() - started < settings.NEWSROOM_TASK_SOFT_TIME_LIMIT / 4
    job.refresh_from_db()
    assert job.state == PipelineJob.State.DONE
    assert PassRun.objects.filter(revision=outcome.revision).count() == len(pipeline.pass_modules())


# --- B3: client isolation ---------------------------------------------------------------------------


@pytest.fixture
def two_clients(db: None) -> tuple[tuple[ApiClient, str], tuple[ApiClient, str]]:
    """Clients A and B with 50 articles each, in their stories; B's first article has a suggestion
    and 2 revisions."""
    a = create_api_token("client-a")
    b = create_api_token("client-b")
    for i in range(50):
        for client, outlet, place in ((a[0], "a", "harbour"), (b[0], "b", "airport")):
            outcome = ingest(client, source=f"{outlet}-wire", external_id=f"{outlet}{i}",
                             body=f"Story {i} from {outlet.upper()} about the {place}.")
            join_story(outcome.article.pk)  # what the article's pipeline job does first
    first_b = Article.objects.get(source__slug="b-wire", external_id="b0")
    ingest(b[0], source="b-wire", external_id="b0", body="Story 0 from B about teh airport.")
    suggest(first_b, "teh", "the")
    return a, b


def test_client_cannot_read_another_clients_article_revisions_or_suggestions(two_clients: Any) -> None:
    (_, key_a), _ = two_clients
    api = api_for(key_a)
    theirs = Article.objects.get(source__slug="b-wire", external_id="b0").pk
    missing = Article.objects.order_by("-pk").first().pk + 1000
    for suffix in ["", "revisions/", "revisions/1/", "revisions/2/", "suggestions/", "suggestions/?status=pending"]:
        answer = api.get(f"{URL}{theirs}/{suffix}")
        unknown = api.get(f"{URL}{missing}/{suffix}")
        assert answer.status_code == 404, suffix
        assert answer.json() == unknown.json()  # the same answer as for an id that does not exist


def test_client_cannot_change_another_clients_article(two_clients: Any) -> None:
    (_, key_a), _ = two_clients
    api = api_for(key_a)
    theirs = Article.objects.get(source__slug="b-wire", external_id="b0")
    for method in ["PUT", "PATCH", "DELETE"]:
        assert api.generic(method, f"{URL}{theirs.pk}/", json.dumps({"title": "Mine"}),
                           content_type="application/json").status_code == 405
    assert api.post(f"{URL}{theirs.pk}/publish/", {"revision": 2}, format="json").status_code == 403
    suggestion = theirs.revisions.get(number=2).suggestions.get()
    assert api.post(f"/api/v1/suggestions/{suggestion.pk}/accept/", {"revision": 2},
                    format="json").status_code == 403
    assert api.post(URL, article(source="b-wire", external_id="b1", body="Hijacked."), format="json").status_code == 409
    theirs.refresh_from_db()
    assert (theirs.title, theirs.revision_number) == ("Title", 2)
    assert suggestion.__class__.objects.get(pk=suggestion.pk).status == "pending"


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("?page_size=200", {}),
        ("?source=b-wire", {"source__slug": "b-wire"}),
        ("?status=received", {"status": "received"}),
        ("?page=2&page_size=10", {}),
        ("?story={story}", {"story_id": "{story}"}),
    ],
)
def test_client_lists_contain_only_its_own_articles_and_counts(
    two_clients: Any, query: str, filters: dict[str, str]
) -> None:
    (client_a, key_a), (client_b, _) = two_clients
    story = str(Article.objects.filter(client=client_b).exclude(story=None).values_list("story_id", flat=True)[0])
    page = api_for(key_a).get(URL + query.format(story=story)).json()
    ids = {row["id"] for row in page["results"]}
    assert not ids & set(Article.objects.filter(client=client_b).values_list("id", flat=True))
    own = Article.objects.filter(client=client_a, **{k: v.format(story=story) for k, v in filters.items()})
    assert page["count"] == own.count()  # B's rows are not counted either
    assert ids <= set(own.values_list("id", flat=True))


# --- B8: page size caps and the throttle key ----------------------------------------------------


@pytest.mark.django_db
@override_settings(NEWSROOM_MAX_PAGE_SIZE=5)
@pytest.mark.parametrize("path", [URL, "/api/v1/published/", "/api/v1/audit/"])
def test_huge_page_size_is_clamped_to_the_maximum(path: str) -> None:
    from tests.factories import UserFactory

    editor = UserFactory(username="b8-editor", roles=["publisher"])
    client, key = create_api_token("b8", user=editor)
    for i in range(8):
        ingest(client, external_id=f"p{i}")
    if path == "/api/v1/published/":
        from articles.publish import publish_revision

        for a in Article.objects.all():
            publish_revision(article_id=a.pk, revision_number=1, actor=editor, confirm_pending=True)
    for size in ["1000000", "99999999999999999999999999"]:
        response = api_for(key).get(f"{path}?page_size={size}&limit=1000000")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["0", "-1", "ten", "1e3", "²"])
def test_page_size_that_is_not_a_positive_whole_number_is_400(token_client: APIClient, page_size: str) -> None:
    response = token_client.get(f"{URL}?page_size={page_size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


@pytest.mark.django_db
def test_x_forwarded_for_does_not_change_the_throttle_key(token_client: APIClient) -> None:
    def key_for(**meta: str) -> str | None:
        from rest_framework.request import Request

        request = Request(RequestFactory().get(URL, REMOTE_ADDR="10.0.0.7", **meta))
        return ClientRateThrottle().get_cache_key(request, view=None)  # type: ignore[arg-type]

    plain = key_for()
    assert plain is not None and "10.0.0.7" in plain
    for spoofed in ["1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage"]:
        assert key_for(HTTP_X_FORWARDED_FOR=spoofed) == plain


@pytest.mark.django_db
@override_settings(NEWSROOM_API_RATE="3/min")
def test_a_client_cannot_escape_its_rate_with_x_forwarded_for(token_client: APIClient) -> None:
    statuses = [
        token_client.post(URL, article(external_id=f"x{i}"), format="json", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}",
                          REMOTE_ADDR=f"10.2.2.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


# --- D6, D7: concurrent retries -----------------------------------------------------------------


def at_once(count: int, call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` in ``count`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_requests_with_one_idempotency_key_make_one_article() -> None:
    _, key = create_api_token("d6-client")
    payload = article(external_id=f"d6-{uuid.uuid4().hex[:6]}")
    responses = at_once(5, lambda: api_for(key).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="d6-key"))
    assert Article.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert all(r.json() == responses[0].json() for r in responses)
    replayed = sorted(r.get("Idempotent-Replayed") or "" for r in responses)
    assert replayed == ["", "true", "true", "true", "true"]


@pytest.mark.django_db
def test_five_sequential_requests_with_one_idempotency_key_replay_the_first(token_client: APIClient) -> None:
    responses = [token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY="seq") for _ in range(5)]
    assert Article.objects.count() == 1
    assert [r.status_code for r in responses] == [201] * 5
    assert all(r.json() == responses[0].json() for r in responses)
    assert [r.get("Idempotent-Replayed") for r in responses] == [None] + ["true"] * 4


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "k" * 256, "caf\u00e9", "two words"])
def test_malformed_idempotency_key_is_400_and_writes_nothing(token_client: APIClient, key: str) -> None:
    response = token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Article.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_retries_without_a_key_make_one_article_and_point_to_it() -> None:
    _, key = create_api_token("d7-client")
    payload = article(external_id=f"d7-{uuid.uuid4().hex[:6]}")
    responses = at_once(5, lambda: api_for(key).post(URL, payload, format="json"))
    assert Article.objects.count() == 1 and Revision.objects.count() == 1
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert {r.json()["id"] for r in responses} == {Article.objects.get().pk}
    assert sorted(r.json()["created"] for r in responses) == [False, False, False, False, True]


# --- what Schemathesis found (tests/newsroom/test_api_fuzz.py), one case each -------------------


@pytest.fixture
def chief_api(db: None) -> APIClient:
    from tests.factories import UserFactory

    return api_for(create_api_token("chief", user=UserFactory(username="chief", roles=["publisher"]))[1])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/?story=%C2%B2",  # '²' passed isdigit() and broke int(): a 500
        "/api/v1/articles/?story=1&story=2",
        "/api/v1/articles/?story=",
        "/api/v1/articles/?story=99999999999999999999999",
        "/api/v1/articles/?source=%00",  # PostgreSQL refuses NUL in text: a 500
        "/api/v1/articles/?status=",
        "/api/v1/articles/?page=0",
        "/api/v1/audit/?article=%C2%B2",
        "/api/v1/audit/?actor=a%00b",
        "/api/v1/published/?after=%C2%B2",
        "/api/v1/published/?since=2026-02-30T00:00:00Z",  # well formed, impossible: a 500
        "/api/v1/published/?since=2026-11-24",
    ],
)
def test_malformed_query_parameter_is_400_naming_it(chief_api: APIClient, path: str) -> None:
    response = chief_api.get(path)
    assert response.status_code == 400, response.content
    name = path.split("?")[1].split("=")[0]
    assert name in response.json()["errors"]


@pytest.mark.parametrize("since", ["2026-11-24T08:00:00+18:59", "0001-01-01T00:00:00+23:59",
                                   "9999-12-31T23:59:59-23:59", "2026-11-24t08:00:00.123456789z"])
def test_any_rfc3339_since_is_answered(chief_api: APIClient, since: str) -> None:
    # PostgreSQL refuses offsets beyond 15:59 (a 500), and Python cannot hold year 0 or 10000 in UTC.
    response = chief_api.get("/api/v1/published/", {"since": since})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_unknown_url_under_the_api_is_a_json_404(token_client: APIClient) -> None:
    response = token_client.get("/api/v1/articles/-1/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"revision": "1"}, "revision"),
        ({"revision": 1.0}, "revision"),
        ({"revision": True}, "revision"),
        ({"revision": 1, "confirm_pending": "yes"}, "confirm_pending"),
        ({"revision": 1, "confirm_pending": 1}, "confirm_pending"),
    ],
)
def test_publish_takes_json_integers_and_booleans_only(chief_api: APIClient, body: dict[str, Any],
                                                       field: str) -> None:
    article_id = ingest(ApiClient.objects.get(name="chief")).article.pk
    response = chief_api.post(f"{URL}{article_id}/publish/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("published_at", "2026-11-24T08:00:00+18:59", True),
        ("published_at", "0001-01-01T00:00:00+01:00", False),  # year 0 in UTC: a 500 before
        ("published_at", "2026-11-24T08:00:00", False),  # no offset
        ("published_at", "2026-11-24 08:00:00Z", False),
        ("external_id", " padded ", False),
        ("external_id", "caf\u00e9 42", True),
        ("url", "https://example.org/caf\u00e9?q=1#top", True),
        ("url", "ftp://example.org/", False),
        ("url", "", True),
        ("language", "en\n", False),
        ("title", "\u3000\u2028", False),  # only whitespace, however exotic
    ],
)
def test_article_fields_accept_exactly_what_the_schema_says(
    token_client: APIClient, field: str, value: str, accepted: bool
) -> None:
    response = token_client.post(URL, article(**{field: value}), format="json")
    assert response.status_code == (201 if accepted else 400), response.content
    if not accepted:
        assert field in response.json()["errors"]


@pytest.mark.django_db
def test_html_article_is_ingested_as_its_main_text(token_client: APIClient) -> None:
    page = "<html><body><nav>Home</nav><article><p>" + "The council met on Tuesday. " * 20 + "</p></article></body></html>"
    response = token_client.post(URL, article(content_type="text/html", body=page), format="json")
    assert response.status_code == 201, response.content  # trafilatura could not be imported: a 500
    assert response.json()["text"].startswith("The council met on Tuesday.")


@pytest.mark.django_db
def test_html_without_article_text_is_422_on_body(token_client: APIClient) -> None:
    response = token_client.post(URL, article(content_type="text/html", body="<p></p>"), format="json")
    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    assert Article.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("item", [{"na\u0000me": 1}, {"content_type": "text/\u0000"}, {"\ud800": 1}],
                         ids=["nul-in-key", "nul-in-echoed-value", "lone-surrogate-key"])
def test_batch_errors_echoing_nul_are_stored_for_replay(token_client: APIClient, item: dict[str, Any]) -> None:
    # The answer is kept as jsonb for Idempotency-Key replays; jsonb refuses NUL: a 500 before.
    raw = json.dumps({"articles": [item]})
    first = token_client.generic("POST", BATCH, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul")
    again = token_client.generic("POST", BATCH, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul")
    assert first.status_code == again.status_code == 207
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "\x00" not in json.dumps(first.json(), ensure_ascii=False)


@override_settings(NEWSROOM_API_RATE="10/min")
def test_parallel_requests_of_one_client_never_pass_its_rate() -> None:
    """The window is trimmed, counted and written in one Redis step: 40 requests of one client at
    once on 8 threads get exactly its 10, where a read-then-write history let more through."""
    from concurrent.futures import ThreadPoolExecutor

    from rest_framework.request import Request

    client = ApiClient(pk=10**9 + uuid.uuid4().int % 10**6, name="parallel")  # a throttle key of its own

    def one() -> tuple[bool, float | None]:
        request = Request(RequestFactory().post(URL))
        request.user = request.auth = client  # type: ignore[assignment]
        throttle = ClientRateThrottle()
        return throttle.allow_request(request, view=None), throttle.wait()  # type: ignore[arg-type]

    # A patient Redis client: the throttle fails open on a timeout, which on a busy machine would
    # let a request through for the wrong reason.
    patient = {"default": {**settings.CACHES["default"],
                           "OPTIONS": {"socket_connect_timeout": 10, "socket_timeout": 10}}}
    with override_settings(CACHES=patient), ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: one(), range(40)))
    assert sum(allowed for allowed, _ in answers) == 10
    assert all(wait is not None and 1 <= wait <= 60 for allowed, wait in answers if not allowed)


@pytest.mark.django_db
def test_the_throttle_lets_requests_through_while_its_redis_is_down(token_client: APIClient) -> None:
    from tests.support import free_port

    dead = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    with override_settings(CACHES=dead, NEWSROOM_API_RATE="1/min"):
        statuses = [token_client.post(URL, {"source": "wire", "external_id": f"down-{i}", "title": "T",
                                            "body": "Text."}, format="json").status_code for i in range(3)]
    assert statuses == [201, 201, 201]
