"""POST /api/v1/articles/: what is accepted, what is refused, and that refusals write nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from articles.models import Article, AuditEvent, IdempotencyRecord, IngestRequest, Revision, Source
from articles.tokens import create_api_token, revoke_api_token
from corrections.models import PipelineJob

URL = "/api/v1/articles/"

pytestmark = pytest.mark.django_db


def article(**overrides: Any) -> dict[str, Any]:
    data = {"source": "wire", "external_id": "story-1", "title": "Kremlin plays down summit",
            "body": "The Kremlin played down talk of a summit.\n\nMore follows."}
    data.update(overrides)
    return data


def post_raw(api: APIClient, raw: bytes, content_type: str = "application/json", **headers: str) -> Any:
    return api.generic("POST", URL, raw, content_type=content_type, **headers)


def assert_nothing_written() -> None:
    assert Article.objects.count() == 0
    assert Revision.objects.count() == 0
    assert IngestRequest.objects.count() == 0
    assert PipelineJob.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_ingest_creates_article_revision_and_job(token_client: APIClient, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = token_client.post(URL, article(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["revision"] == 1 and body["status"] == "received"
    stored = Article.objects.get(pk=body["id"])
    assert stored.revisions.get(number=1).text == article()["body"]
    assert PipelineJob.objects.get(revision__article=stored).state == "queued"
    # the job is published only once the transaction commits (beside it, the ingest is counted)
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["create_job", "count_ingested"]


@pytest.mark.parametrize("second_body", [None, "The Kremlin dismissed talk of a summit."],
                         ids=["identical-resend", "changed-body"])
def test_the_answer_is_what_reading_the_article_back_gives(token_client: APIClient, second_body: str | None) -> None:
    """The answer is built from the rows just written, not read back: it must say what a read says."""
    for body in (article(), article(body=second_body or article()["body"])):
        answer = token_client.post(URL, body, format="json").json()
        read = token_client.get(f"{URL}{answer['id']}/").json()
        assert {k: v for k, v in answer.items() if k not in ("created", "new_revision")} == read


def test_raw_request_bytes_are_kept_verbatim(token_client: APIClient) -> None:
    raw = json.dumps(article(body="Caf\u00e9 \u2014 d\u00e9j\u00e0 vu"), ensure_ascii=False, indent=3).encode()
    response = post_raw(token_client, raw, "application/json; charset=utf-8")
    assert response.status_code == 201
    revision = Revision.objects.get(article_id=response.json()["id"], number=1)
    assert bytes(revision.ingest_request.body) == raw
    assert revision.text == "Caf\u00e9 \u2014 d\u00e9j\u00e0 vu"


def test_identical_resend_answers_200_with_same_id_and_no_new_revision(token_client: APIClient) -> None:
    first = token_client.post(URL, article(), format="json")
    again = token_client.post(URL, article(), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False and again.json()["new_revision"] is False
    assert Revision.objects.count() == 1
    assert PipelineJob.objects.count() == 1


def test_changed_body_becomes_new_revision_with_new_job(token_client: APIClient) -> None:
    first = token_client.post(URL, article(), format="json")
    changed = token_client.post(URL, article(body="The Kremlin dismissed talk of a summit."), format="json")
    assert changed.status_code == 200
    assert changed.json()["id"] == first.json()["id"]
    assert changed.json()["revision"] == 2 and changed.json()["new_revision"] is True
    assert changed.json()["text"] == "The Kremlin dismissed talk of a summit."
    assert PipelineJob.objects.filter(revision__article_id=first.json()["id"]).count() == 2
    assert Revision.objects.get(article_id=first.json()["id"], number=1).text == article()["body"]


def test_same_natural_key_from_another_client_is_refused(token_client: APIClient) -> None:
    token_client.post(URL, article(), format="json")
    _, key = create_api_token("other-client")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = other.post(URL, article(body="Hijacked."), format="json")
    assert response.status_code == 409
    assert "another client" in response.json()["detail"]
    assert Revision.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        (article(body=""), "body", "blank"),
        (article(body="   \n "), "body", "blank"),
        (article(title=""), "title", "blank"),
        (article(title=42), "title", "valid string"),
        (article(body=["a"]), "body", "valid string"),
        (article(body="Nul \u0000 here"), "body", "Null characters"),
        (article(title="Nul \u0000"), "title", "Null characters"),
        (article(source="has space"), "source", "letters, digits"),
        (article(content_type="application/pdf"), "content_type", "not a valid choice"),
        (article(language="english!"), "language", "language tag"),
        (article(url="not a url"), "url", "valid URL"),
        (article(published_at="yesterday"), "published_at", "Datetime has wrong format"),
        (article(colour="red"), "colour", "Unknown field"),
        ({k: v for k, v in article().items() if k != "body"}, "body", "required"),
    ],
)
def test_bad_field_is_refused_with_its_name_and_nothing_written(
    token_client: APIClient, payload: dict[str, Any], field: str, fragment: str
) -> None:
    response = token_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert_nothing_written()


def test_lone_surrogate_escape_is_refused_naming_the_field(token_client: APIClient) -> None:
    raw = b'{"source": "wire", "external_id": "x", "title": "T", "body": "half a pair \\ud800 here"}'
    response = post_raw(token_client, raw)
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'{"source": "wire", "body": "\xff\xfe"}', "not valid UTF-8"),
        (b'{"source": "wire", "body": "\xc0\xaf"}', "not valid UTF-8"),
        (b'{"source": "wire", "body": "\xed\xa0\x80"}', "not valid UTF-8"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b'{"source": ', "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"title": "a", "title": "b"}', "duplicate key"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_unparseable_body_is_refused_with_a_message(token_client: APIClient, raw: bytes, fragment: str) -> None:
    response = post_raw(token_client, raw, "application/json; charset=utf-8")
    assert response.status_code == 400
    assert fragment.lower() in response.json()["detail"].lower()
    assert "Traceback" not in response.content.decode()
    assert_nothing_written()


def test_deeply_nested_objects_inside_an_article_are_refused(token_client: APIClient) -> None:
    nested: Any = "x"
    for _ in range(1000):
        nested = {"a": nested}
    response = token_client.post(URL, article(title=nested), format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert_nothing_written()


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'"just a string"', b"42", b'[{"source": "wire"}]'],
)
def test_json_that_is_not_an_object_is_refused(token_client: APIClient, raw: bytes) -> None:
    response = post_raw(token_client, raw)
    assert response.status_code == 400
    assert "errors" in response.json()
    assert_nothing_written()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415(token_client: APIClient, content_type: str) -> None:
    response = post_raw(token_client, json.dumps(article()).encode(), content_type)
    assert response.status_code == 415
    assert "detail" in response.json()
    assert_nothing_written()


def test_non_utf8_charset_is_415(token_client: APIClient) -> None:
    response = post_raw(token_client, json.dumps(article()).encode("utf-16"), "application/json; charset=utf-16")
    assert response.status_code == 415
    assert_nothing_written()


@override_settings(NEWSROOM_MAX_REQUEST_BYTES=64 * 1024)
def test_body_over_the_limit_is_413_and_a_normal_request_still_works(token_client: APIClient) -> None:
    response = token_client.post(URL, article(body="x" * (65 * 1024)), format="json")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert_nothing_written()
    assert token_client.post(URL, article(), format="json").status_code == 201


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"HTTP_AUTHORIZATION": "Token"}, 401),
        ({"HTTP_AUTHORIZATION": "Token nr_not-a-real-key"}, 401),
        ({"HTTP_AUTHORIZATION": "Token a b"}, 401),
        ({"HTTP_AUTHORIZATION": "Bearer nr_whatever"}, 401),
    ],
)
def test_missing_or_bad_token_is_401_with_no_data(db: None, headers: dict[str, str], status: int) -> None:
    response = APIClient().post(URL, article(), format="json", **headers)
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
    assert_nothing_written()


def test_revoked_token_is_401(db: None) -> None:
    client, key = create_api_token("soon-revoked")
    revoke_api_token(client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.post(URL, article(), format="json").status_code == 401


def test_token_secret_is_stored_only_as_a_hash(db: None) -> None:
    client, key = create_api_token("hashed")
    assert key not in json.dumps(list(type(client).objects.values()), default=str)
    assert key not in json.dumps(list(AuditEvent.objects.values()), default=str)
    assert client.key_hash != key and len(client.key_hash) == 64


@override_settings(NEWSROOM_API_RATE="3/min")
def test_client_over_its_rate_gets_429_with_retry_after(token_client: APIClient) -> None:
    statuses = [token_client.post(URL, article(external_id=f"r{i}"), format="json").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = token_client.post(URL, article(external_id="r9"), format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_idempotency_key_replays_the_first_answer(token_client: APIClient) -> None:
    first = token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Article.objects.count() == 1


def test_idempotency_key_reused_with_another_body_is_422(token_client: APIClient) -> None:
    token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = token_client.post(URL, article(body="Different."), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert Revision.objects.count() == 1


def test_idempotency_keys_are_scoped_per_client(token_client: APIClient) -> None:
    token_client.post(URL, article(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    _, key = create_api_token("client-b")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = other.post(URL, article(source="other-wire"), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Article.objects.count() == 2


# --- batch -------------------------------------------------------------------------------------

BATCH = "/api/v1/articles/batch/"


def test_batch_answers_per_item_and_one_bad_item_does_not_sink_the_others(token_client: APIClient) -> None:
    items = [article(external_id=f"b{i}") for i in range(100)]
    items[37] = article(external_id="b37", body="")
    response = token_client.post(BATCH, {"articles": items}, format="json")
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(100))
    errors = [r for r in results if "errors" in r]
    assert len(errors) == 1 and errors[0]["index"] == 37 and "body" in errors[0]["errors"]
    assert sum(1 for r in results if r.get("created")) == 99
    assert Article.objects.count() == 99
    assert IngestRequest.objects.count() == 1


def test_batch_all_good_is_200(token_client: APIClient) -> None:
    response = token_client.post(BATCH, {"articles": [article(external_id="one"), article(external_id="two")]},
                                 format="json")
    assert response.status_code == 200
    assert [r["created"] for r in response.json()["results"]] == [True, True]


def test_batch_items_behave_as_if_sent_one_by_one_in_order(token_client: APIClient) -> None:
    """New articles are written in bulk, the rest one by one: a re-send (identical or changed), a
    second copy of a key new in this very batch, another client's key; answers in input order."""
    other = create_api_token("other-client")[0]
    Article.objects.create(source=Source.objects.create(slug="theirs"), external_id="t1", client=other, title="T")
    token_client.post(URL, article(external_id="same"), format="json")
    token_client.post(URL, article(external_id="changed"), format="json")
    items = [
        article(external_id="new-1", body="First copy."),
        article(external_id="same"),
        article(external_id="changed", body="A changed body."),
        article(external_id="new-1", body="Second copy of new-1 in the same batch."),
        article(source="theirs", external_id="t1"),
        article(external_id="new-1", body="Second copy of new-1 in the same batch."),
        article(source="brand-new-source", external_id="new-2", body="Caf\u00e9\u200b  \r\nverbatim "),
    ]
    response = token_client.post(BATCH, {"articles": items}, format="json")
    assert response.status_code == 207, response.content
    results = response.json()["results"]
    outcome = [(r["index"], r.get("created"), r.get("new_revision"), "errors" in r) for r in results]
    assert outcome == [(0, True, True, False), (1, False, False, False), (2, False, True, False),
                       (3, False, True, False), (4, None, None, True), (5, False, False, False),
                       (6, True, True, False)]
    assert "external_id" in results[4]["errors"]
    new_1 = Article.objects.get(source__slug="wire", external_id="new-1")
    assert results[0]["id"] == results[3]["id"] == results[5]["id"] == new_1.pk
    assert [(r.number, r.text, r.ingest_index) for r in new_1.revisions.order_by("number")] == [
        (1, "First copy.", 0), (2, "Second copy of new-1 in the same batch.", 3)]
    assert new_1.revision_number == 2
    new_2 = Article.objects.get(source__slug="brand-new-source", external_id="new-2")
    assert new_2.revisions.get(number=1).text == "Caf\u00e9\u200b  \r\nverbatim "  # revision 1 verbatim
    assert new_2.invisible_chars == 1
    assert Article.objects.get(external_id="changed").revision_number == 2
    assert Article.objects.get(external_id="same").revision_number == 1
    # one job per new revision, one audit row per new article
    assert PipelineJob.objects.filter(article=new_1).count() == 2
    assert PipelineJob.objects.filter(article=new_2).count() == 1
    ingested = AuditEvent.objects.filter(action="article.ingested", article_id__in=[new_1.pk, new_2.pk])
    assert sorted(ingested.values_list("article_id", flat=True)) == sorted([new_1.pk, new_2.pk])


def test_batch_writes_its_new_articles_with_one_statement_per_table(
        token_client: APIClient, django_capture_on_commit_callbacks: Any) -> None:
    """Fifty new articles of two new sources: one INSERT into each table, the same rows, audit rows,
    row history and jobs as one by one, and the jobs published together once the transaction
    commits."""
    from django.db import connection

    from articles.models import RowChange
    from tests.corrections.test_lease import queued_job_ids
    from tests.support import flush_test_broker

    flush_test_broker()
    items = [article(source=f"bulk-{i % 2}", external_id=f"bulk-{i}", body=f"Copy {i}.\n\nMore follows.")
             for i in range(50)]
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with django_capture_on_commit_callbacks(execute=True), connection.execute_wrapper(record):
        response = token_client.post(BATCH, {"articles": items}, format="json")
    assert response.status_code == 200, response.content
    inserts = [sql.split()[2].strip('"') for sql in statements if sql.startswith("INSERT")]
    assert sorted(inserts) == sorted(["articles_ingestrequest", "articles_source", "articles_article",
                                      "articles_revision", "articles_auditevent", "corrections_pipelinejob"])
    ids = [r["id"] for r in response.json()["results"]]
    assert len(set(ids)) == 50 and set(Article.objects.values_list("id", flat=True)) == set(ids)
    revisions = Revision.objects.filter(article_id__in=ids, number=1)
    assert sorted(revisions.values_list("ingest_index", flat=True)) == list(range(50))
    for revision in revisions.select_related("article"):
        assert revision.text == items[revision.ingest_index]["body"]
        assert revision.article.external_id == items[revision.ingest_index]["external_id"]
    assert sorted(AuditEvent.objects.filter(action="article.ingested").values_list("article_id", flat=True)) == sorted(ids)
    history = RowChange.objects.filter(table_name="articles_article", operation="INSERT")
    assert sorted(history.values_list("row_id", flat=True)) == sorted(ids)
    jobs = PipelineJob.objects.filter(article_id__in=ids, state="queued")
    assert jobs.count() == 50
    assert sorted(queued_job_ids("passes\x06\x163")) == sorted(jobs.values_list("pk", flat=True))


@pytest.mark.parametrize("key", [None, "batch-key"])
def test_a_batch_sent_twice_stores_each_article_once(token_client: APIClient, key: str | None) -> None:
    items = [article(external_id=f"twice-{i}") for i in range(5)]
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    first = token_client.post(BATCH, {"articles": items}, format="json", **headers)
    again = token_client.post(BATCH, {"articles": items}, format="json", **headers)
    assert first.status_code == again.status_code == 200
    assert [r["id"] for r in first.json()["results"]] == [r["id"] for r in again.json()["results"]]
    assert [r["created"] for r in again.json()["results"]] == [key is not None] * 5  # a replay, or re-sends
    assert Article.objects.count() == Revision.objects.count() == PipelineJob.objects.count() == 5
    assert AuditEvent.objects.filter(action="article.ingested").count() == 5


@override_settings(NEWSROOM_MAX_BATCH_ITEMS=5)
def test_batch_over_the_item_limit_is_413(token_client: APIClient) -> None:
    response = token_client.post(BATCH, {"articles": [article(external_id=str(i)) for i in range(6)]}, format="json")
    assert response.status_code == 413
    assert "maximum is 5" in response.json()["detail"]
    assert_nothing_written()


@pytest.mark.parametrize(("payload", "field"), [({"articles": []}, "articles"), ({}, "articles"),
                                                 ({"articles": "x"}, "articles"), ({"articles": [], "x": 1}, "x")])
def test_batch_shape_errors_are_400(token_client: APIClient, payload: dict[str, Any], field: str) -> None:
    response = token_client.post(BATCH, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert_nothing_written()


@override_settings(NEWSROOM_MAX_BATCH_BYTES=128 * 1024)
def test_batch_over_the_byte_limit_is_413(token_client: APIClient) -> None:
    items = [article(external_id=str(i), body="y" * 20_000) for i in range(10)]
    response = token_client.post(BATCH, {"articles": items}, format="json")
    assert response.status_code == 413
    assert_nothing_written()
