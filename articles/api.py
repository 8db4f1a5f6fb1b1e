"""The articles API: ingestion (single and batch) and reading articles and revisions."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.attribution import may_see_staff_names
from articles.idempotency import Answer, IdempotencyKeyReused, answer_once
from articles.ingest import (
    ArticleData,
    IngestConflict,
    NoMainText,
    ingest_article,
    ingest_batch,
    insert_rows,
)
from articles.models import Article, IngestRequest, Revision
from articles.parsers import RequestTooLarge, StrictJSONParser
from articles.permissions import CanReadArticles, IsIngestClient, required_client, visible_articles
from articles.serializers import (
    SOURCE_PATTERN,
    ArticleIn,
    ArticleOut,
    ArticleSummaryOut,
    BatchIn,
    IngestOut,
    RevisionOut,
    RevisionSummaryOut,
    validate_each,
)
from articles.wire import KillNotice
from articles.wire.parsers import (
    WIRE_BATCH_PARSERS,
    WIRE_PARSERS,
    WIRE_REQUEST_SCHEMAS,
    ItemErrors,
    WireBatch,
    source_param,
)
from articles.withdraw import NothingToWithdraw, NotYours, WithdrawOutcome, withdraw_article
from newsroom.api_errors import BAD_REQUEST, ErrorOut
from newsroom.pagination import PageNumberPagination
from newsroom.query_params import STR_SCHEMA, enum_param, int_param, int_schema, str_param
from newsroom.request_context import current_request_id

IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,255}$")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern}, OpenApiParameter.HEADER,
    required=False,
    description=(
        "Repeat a request safely: the first answer is replayed (with Idempotent-Replayed: true) for the "
        "same key and body; the same key with another body is 422. 1-255 visible ASCII characters."
    ),
)

WIRE_SOURCE = OpenApiParameter(
    "source", {"type": "string", "pattern": SOURCE_PATTERN, "maxLength": 100}, OpenApiParameter.QUERY, required=False,
    description="Wire formats only: the source slug, instead of the document's provider or copyright holder.",
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """Input the schema allows but that cannot be done as asked (the same Idempotency-Key with
    another body). 400 stays for input the schema itself refuses."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class UnprocessableFields(exceptions.ValidationError):
    """Like Unprocessable, with messages by field (``{"errors": {field: [...]}}``): an HTML page
    without article text, a revision the article does not have."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


def with_current_text(queryset: QuerySet[Article]) -> QuerySet[Article]:
    current = Revision.objects.filter(article=OuterRef("pk"), number=OuterRef("revision_number")).values("text")[:1]
    return queryset.select_related("source").annotate(current_text=Subquery(current))


def request_data(request: Request) -> Any:
    """The parsed body; DRF skips the parser for an empty body, so say what is wrong here."""
    data = request.data
    if getattr(request, "raw_body", None) is None:
        raise exceptions.ParseError("Request body is empty; send a JSON object.")
    source_param(request.query_params)  # ?source= names a wire document's source (articles.wire)
    return data


def _raw_request(request: Request) -> IngestRequest:
    return insert_rows([IngestRequest(
        client=required_client(request),
        content_type=request.content_type[:200],
        body=getattr(request, "raw_body", b""),
        idempotency_key=request.headers.get("Idempotency-Key", "")[:255],
        request_id=current_request_id.get(),
    )])[0]  # megabytes for a batch: bound apart from the SQL


def _ingest_one(request: Request, raw: IngestRequest, data: dict[str, Any]) -> Answer:
    outcome = ingest_article(client=required_client(request), data=ArticleData(**data), request=raw)
    article = outcome.article  # as stored: read back, it would answer the same
    article.current_text = outcome.revision.text  # type: ignore[attr-defined]  # what with_current_text adds
    body = {**ArticleOut(article).data, "created": outcome.created, "new_revision": outcome.new_revision}
    return Answer(status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK, body=body)


def _withdraw_one(request: Request, raw: IngestRequest, notice: KillNotice, index: int | None) -> Answer:
    """A kill notice: the article it names withdrawn (articles.withdraw), no revision."""
    outcome = withdraw_article(client=required_client(request), notice=notice, request=raw, index=index)
    article = with_current_text(Article.objects.filter(pk=outcome.article.pk)).get()
    return Answer(status=status.HTTP_200_OK, body={**ArticleOut(article).data, "created": False, "new_revision": False})


def _respond(request: Request, produce: Any) -> Response:
    """Run ``produce`` once per Idempotency-Key (when given) and turn domain errors into 4xx."""
    key = request.headers.get("Idempotency-Key")
    try:
        if key is not None:
            if IDEMPOTENCY_KEY.fullmatch(key) is None:
                raise exceptions.ValidationError(
                    {"Idempotency-Key": ["Must be 1 to 255 visible ASCII characters (no spaces)."]}
                )
            digest = hashlib.sha256(getattr(request, "raw_body", b"")).hexdigest()
            answer = answer_once(required_client(request), key, digest, produce)
        else:
            with transaction.atomic():
                answer = produce()
    except IdempotencyKeyReused as ex:
        raise Unprocessable(str(ex)) from None
    except (IngestConflict, NotYours) as ex:
        raise Conflict(str(ex)) from None
    except NothingToWithdraw as ex:
        raise UnprocessableFields({"external_id": [str(ex)]}) from None
    except NoMainText as ex:
        raise UnprocessableFields({"body": [str(ex)]}) from None
    headers = {"Idempotent-Replayed": "true"} if answer.is_replay else {}
    return Response(answer.body, status=answer.status, headers=headers)


class ArticleCollectionApi(APIView):
    """POST ingests one article; GET lists the articles the caller may read."""

    pagination_class = PageNumberPagination  # for the schema; get() paginates explicitly
    parser_classes = [StrictJSONParser, *WIRE_PARSERS]  # wire formats: articles.wire

    def get_permissions(self) -> list[Any]:
        return [IsIngestClient()] if self.request.method == "POST" else [CanReadArticles()]

    @extend_schema(request={"application/json": ArticleIn, **WIRE_REQUEST_SCHEMAS},
                   responses={200: IngestOut, 201: IngestOut, 409: ErrorOut, 422: BAD_REQUEST},
                   parameters=[IDEMPOTENCY_HEADER, WIRE_SOURCE], operation_id="articles_ingest")
    def post(self, request: Request) -> Response:
        payload = request_data(request)
        if isinstance(payload, KillNotice):
            notice = payload
            return _respond(request, lambda: _withdraw_one(request, _raw_request(request), notice, None))
        data = ArticleIn(data=payload)
        data.is_valid(raise_exception=True)

        def produce() -> Answer:
            return _ingest_one(request, _raw_request(request), data.validated_data)

        return _respond(request, produce)

    @extend_schema(
        responses=ArticleSummaryOut(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=Article.Status.values),
            OpenApiParameter("source", STR_SCHEMA, description="A source slug."),
            OpenApiParameter("story", int_schema(), description="A story id."),
        ],
        operation_id="articles_list",
    )
    def get(self, request: Request) -> Response:
        queryset = visible_articles(request).select_related("source").order_by("-id")
        params = request.query_params
        status_filter = enum_param(params, "status", Article.Status.values)
        if status_filter is not None:
            queryset = queryset.filter(status=status_filter)
        source = str_param(params, "source")
        if source is not None:
            queryset = queryset.filter(source__slug=source)
        story = int_param(params, "story")
        if story is not None:
            queryset = queryset.filter(story_id=story)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ArticleSummaryOut(page, many=True).data)


BATCH_RESULT = inline_serializer(
    "BatchResult",
    {
        "results": serializers.ListField(
            child=inline_serializer(
                "BatchItemResult",
                {
                    "index": serializers.IntegerField(),
                    "id": serializers.IntegerField(required=False),
                    "created": serializers.BooleanField(required=False),
                    "new_revision": serializers.BooleanField(required=False),
                    "withdrawn": serializers.BooleanField(
                        required=False, help_text="A kill notice: the article is withdrawn, no revision made."),
                    "errors": serializers.DictField(required=False),
                },
            )
        )
    },
)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """``value`` with NUL and lone surrogates replaced by U+FFFD, keys included: error messages
    echo the client's field names and values, and the answer is stored as jsonb for
    Idempotency-Key replays, which refuses both (a 500 before)."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


class ArticleBatchCreateApi(APIView):
    """Up to NEWSROOM_MAX_BATCH_ITEMS articles in one request, answered per item in input order.

    Answers 200 when every item was accepted and 207 when any item has errors; valid items are
    stored either way.
    """

    permission_classes = [IsIngestClient]
    parser_classes = [StrictJSONParser, *WIRE_BATCH_PARSERS]  # wire formats: articles.wire
    max_request_setting = "NEWSROOM_MAX_BATCH_BYTES"

    @extend_schema(request={"application/json": BatchIn, **WIRE_REQUEST_SCHEMAS},
                   responses={200: BATCH_RESULT, 207: BATCH_RESULT, 422: ErrorOut},
                   parameters=[IDEMPOTENCY_HEADER, WIRE_SOURCE], operation_id="articles_batch_ingest")
    def post(self, request: Request) -> Response:
        payload = request_data(request)
        if isinstance(payload, WireBatch):
            items: list[Any] = payload.items
        else:
            batch = BatchIn(data=payload)
            batch.is_valid(raise_exception=True)
            items = batch.validated_data["articles"]
        limit = settings.NEWSROOM_MAX_BATCH_ITEMS
        if len(items) > limit:
            raise RequestTooLarge(f"The batch has {len(items)} articles; the maximum is {limit}. Split it.")
        plain = iter(validate_each([item for item in items if not isinstance(item, (ItemErrors, KillNotice))]))
        checked: list[tuple[Any, Any]] = [
            (None, item.errors) if isinstance(item, ItemErrors) else (item, None) if isinstance(item, KillNotice)
            else next(plain) for item in items
        ]

        def produce() -> Answer:
            raw = _raw_request(request)
            valid = [(index, item if isinstance(item, KillNotice) else ArticleData(**item))
                     for index, (item, _) in enumerate(checked) if item is not None]
            outcomes = ingest_batch(client=required_client(request), items=valid, request=raw)
            results: list[dict[str, Any]] = []
            for index, (_, errors) in enumerate(checked):
                outcome = outcomes.get(index)
                if outcome is None:
                    results.append({"index": index, "errors": storable(errors)})
                elif isinstance(outcome, (IngestConflict, NothingToWithdraw, NotYours)):
                    results.append({"index": index, "errors": {"external_id": [str(outcome)]}})
                elif isinstance(outcome, NoMainText):
                    results.append({"index": index, "errors": {"body": [str(outcome)]}})
                elif isinstance(outcome, WithdrawOutcome):
                    results.append({"index": index, "id": outcome.article.pk, "created": False,
                                    "new_revision": False, "withdrawn": True})
                else:
                    results.append({"index": index, "id": outcome.article.pk, "created": outcome.created,
                                    "new_revision": outcome.new_revision})
            has_errors = any("errors" in r for r in results)
            return Answer(status=status.HTTP_207_MULTI_STATUS if has_errors else status.HTTP_200_OK,
                          body={"results": results})

        return _respond(request, produce)


class ArticleDetailApi(APIView):
    permission_classes = [CanReadArticles]

    @extend_schema(responses=ArticleOut, operation_id="articles_retrieve")
    def get(self, request: Request, article_id: int) -> Response:
        article = get_object_or_404(with_current_text(visible_articles(request)), pk=article_id)
        return Response(ArticleOut(article).data)


class RevisionListApi(APIView):
    permission_classes = [CanReadArticles]
    pagination_class = PageNumberPagination  # for the schema; get() paginates explicitly

    @extend_schema(responses=RevisionSummaryOut(many=True), operation_id="articles_revisions_list")
    def get(self, request: Request, article_id: int) -> Response:
        article = get_object_or_404(visible_articles(request), pk=article_id)
        revisions = (article.revisions.select_related("created_by_user", "created_by_client__user")
                     .prefetch_related("created_by_user__groups", "created_by_client__user__groups").order_by("number"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(revisions, request, view=self)
        context = {"show_staff_names": may_see_staff_names(request.user)}
        return paginator.get_paginated_response(RevisionSummaryOut(page, many=True, context=context).data)


class RevisionDetailApi(APIView):
    permission_classes = [CanReadArticles]

    @extend_schema(responses=RevisionOut, operation_id="articles_revisions_retrieve")
    def get(self, request: Request, article_id: int, number: int) -> Response:
        article = get_object_or_404(visible_articles(request), pk=article_id)
        revision = get_object_or_404(
            Revision.objects.select_related("created_by_user", "created_by_client__user"), article=article,
            number=number,
        )
        return Response(RevisionOut(revision, context={"show_staff_names": may_see_staff_names(request.user)}).data)
