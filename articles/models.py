"""Sources, articles, immutable revisions, the raw requests behind them, stories and clients."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q


class Source(models.Model):
    """An outlet or feed that articles come from; created on first sight of its slug."""

    slug = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or self.slug


class ApiClient(models.Model):
    """A token holder (wire feed, scraper, MT pipeline). Only a hash of its key is stored.

    A client linked to a user acts with that user's roles (an editor's token); otherwise it may
    ingest and read what it ingested.
    """

    name = models.CharField(max_length=100, unique=True)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="api_clients"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # DRF's IsAuthenticated looks at request.user; a client without a user is its own principal.
    @property
    def is_authenticated(self) -> bool:
        return True


class IngestRequest(models.Model):
    """The exact bytes of one ingestion request, kept before anything is parsed into rows."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests")
    received_at = models.DateTimeField(auto_now_add=True)
    content_type = models.CharField(max_length=200)
    body = models.BinaryField()
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Set when the retention job removed the bytes (articles.retention); the hash stays.
    purged_at = models.DateTimeField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["received_at"], name="ingestrequest_received_idx")]

    def __str__(self) -> str:
        return f"request {self.pk} from client {self.client_id}"


class Story(models.Model):
    """Copies of the same event from several outlets, clustered as they arrive."""

    title = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    canonical_article = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title[:80] or f"story {self.pk}"


class Article(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSING = "processing"
        IN_REVIEW = "in_review"
        PUBLISHED = "published"
        FAILED = "failed"
        WITHDRAWN = "withdrawn"  # its supplier killed or withheld it (articles.withdraw)

    class ContentType(models.TextChoices):
        PLAIN = "text/plain"
        HTML = "text/html"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    external_id = models.CharField(max_length=255)
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    title = models.TextField()  # the current revision's title (Revision.title keeps every one)
    content_type = models.CharField(max_length=20, choices=ContentType.choices, default=ContentType.PLAIN)
    language = models.CharField(max_length=35, default="en")
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_detail = models.TextField(blank=True)
    revision_number = models.PositiveIntegerField(default=1)  # the current (latest) revision
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    invisible_chars = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="article_unique_source_external_id"),
            models.CheckConstraint(
                condition=Q(status__in=["received", "processing", "in_review", "published", "failed", "withdrawn"]),
                name="article_status_valid",
            ),
            models.CheckConstraint(condition=Q(revision_number__gte=1), name="article_revision_number_positive"),
            models.CheckConstraint(
                condition=Q(content_type__in=["text/plain", "text/html"]), name="article_content_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="article_status_created_idx"),
            models.Index(fields=["story"], name="article_story_idx"),
            # The desk's search: the expression is exactly what SearchVector("title", config="english") emits.
            GinIndex(SearchVector("title", config="english"), name="article_title_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}/{self.external_id}"


class Revision(models.Model):
    """One immutable state of an article's title and text (a trigger refuses UPDATE).

    Revision 1 is the title and body exactly as received (for text/html, the extracted main text;
    the HTML is in the IngestRequest). Later revisions come from editors' decisions, manual edits,
    the system's auto-applied repairs, or a client re-sending a changed title or body.
    ``Article.title`` mirrors the current revision's title.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.TextField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_system = models.CharField(max_length=100, blank=True)  # e.g. "auto-apply"
    reason = models.TextField(blank=True)
    ingest_request = models.ForeignKey(
        IngestRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    ingest_index = models.PositiveIntegerField(null=True, blank=True)  # item index in a batch

    class Meta:
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_article_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"

    @property
    def created_by(self) -> str:
        if self.created_by_user is not None:
            return f"user:{self.created_by_user.get_username()}"
        if self.created_by_client is not None:
            return f"client:{self.created_by_client.name}"
        return f"system:{self.created_by_system or 'newsroom'}"


class RevisionSearch(models.Model):
    """A revision's text as the desk's full-text search reads it (``to_tsvector('english', text)``).

    Stored, not computed per query: a search matching most articles must not re-parse every text.
    Derived, so written beside the revision, not with it: a revision a client sent by its pipeline
    job (articles.search.index_revision, before the passes), every other revision by a trigger as
    it is inserted (migration 0019). Parsing 5 KB of text cost more than the rest of an ingest.
    """

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, primary_key=True, related_name="search")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    vector = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="revisionsearch_vector_idx")]

    def __str__(self) -> str:
        return f"search of {self.revision_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed for repeats."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class StoryBand(models.Model):
    """One MinHash LSH band of an article's signature; equal bands make articles candidates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="story_bands")
    band = models.PositiveSmallIntegerField()
    hash = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "band"]
        constraints = [
            models.UniqueConstraint(fields=["article", "band"], name="storyband_unique_article_band"),
        ]
        indexes = [models.Index(fields=["band", "hash"], name="storyband_band_hash_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} band {self.band}"


class StorySignature(models.Model):
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="story_signature")
    minhash = models.BinaryField()  # num_perm little-endian uint64 values

    class Meta:
        ordering = ["article_id"]

    def __str__(self) -> str:
        return f"signature of {self.article_id}"


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, with content hashes.

    Rows are append-only (a database trigger refuses UPDATE and DELETE). Actors and objects are
    plain identifiers, not foreign keys, so that no cascade can ever touch the trail.
    """

    class ActorType(models.TextChoices):
        USER = "user"
        CLIENT = "client"
        SYSTEM = "system"
        ANONYMOUS = "anonymous"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=50)
    actor_type = models.CharField(max_length=20, choices=ActorType.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)  # username, client name, or "pass entities v3"
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField(null=True, blank=True)
    article_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    revision_number = models.PositiveIntegerField(null=True, blank=True)
    before_sha256 = models.CharField(max_length=64, blank=True)
    after_sha256 = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="audit_action_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_type__in=["user", "client", "system", "anonymous"]),
                name="audit_actor_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label}"


class Publication(models.Model):
    """An immutable canonical version: revision ``revision`` of the article, published as number
    ``number``. A correction is a later publication linked to the one it corrects, with a public
    note. A trigger refuses UPDATE and DELETE."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveIntegerField()
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="publications")
    text_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="publication_unique_article_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="publication_number_positive"),
            models.CheckConstraint(
                condition=(Q(number=1) & Q(corrects__isnull=True))
                | (Q(number__gt=1) & Q(corrects__isnull=False) & ~Q(correction_note__regex=r"^\s*$")),
                name="publication_correction_has_note",
            ),
        ]
        indexes = [models.Index(fields=["published_at", "id"], name="publication_feed_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} p{self.number}"


class RowChange(models.Model):
    """One inserted, updated or deleted row of a tracked table, written by a database trigger.

    The audit trail (``AuditEvent``) records what the application means to do; this records what
    happened to the rows, whatever did it: the ORM, ``QuerySet.update()``, ``bulk_create``, raw
    SQL or psql. Each row carries the request or job that was acting (``newsroom.db_context``), the
    program (``application_name``), the database role and transaction, the columns an UPDATE
    changed, and SHA-256 hashes of the row before and after (its ``to_jsonb`` text). Append-only.
    """

    at = models.DateTimeField()
    table_name = models.CharField(max_length=63)
    operation = models.CharField(max_length=6)
    row_id = models.BigIntegerField(null=True)
    changed_columns = models.JSONField(default=list)
    before_sha256 = models.CharField(max_length=64, blank=True)
    after_sha256 = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    application_name = models.CharField(max_length=63, blank=True)
    db_user = models.CharField(max_length=63)
    transaction_id = models.BigIntegerField()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["table_name", "row_id"], name="rowchange_table_row_idx"),
            models.Index(fields=["request_id"], name="rowchange_request_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(operation__in=["INSERT", "UPDATE", "DELETE"]),
                                   name="rowchange_operation_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} {self.row_id}"


class Feed(models.Model):
    """A feed newsroom polls (RSS, Atom, a NewsML-G2 or ninjs URL): what an admin registered, and
    the state of its polling (articles.feeds). Articles taken in belong to the feed's own API
    client, which no one holds a key of."""

    class Kind(models.TextChoices):
        DETECT = "detect", "detect from the response"
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        G2 = "g2", "NewsML-G2"
        NINJS = "ninjs", "ninjs"

    class Status(models.TextChoices):
        NEW = "new", "not polled yet"
        OK = "ok", "ok"
        NOT_MODIFIED = "not_modified", "not modified"
        ERROR = "error", "error"

    url = models.URLField(max_length=2000)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DETECT)
    source = models.CharField(max_length=100, blank=True)  # blank: the feed's host
    interval = models.PositiveIntegerField(default=300)  # seconds between polls
    is_enabled = models.BooleanField(default=True)
    username = models.CharField(max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True)  # Fernet token (articles.feed_secrets); never shown
    client = models.OneToOneField(ApiClient, on_delete=models.PROTECT, related_name="feed")
    etag = models.CharField(max_length=1000, blank=True)
    last_modified = models.CharField(max_length=200, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    last_error = models.TextField(blank=True)
    last_result = models.TextField(blank=True)  # what the last successful poll took in and skipped
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField()
    articles_taken = models.PositiveIntegerField(default=0)  # new articles and new revisions, all polls
    claim = models.CharField(max_length=80, blank=True)  # who is polling it (articles.feeds.claim_due_feeds)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=30), name="feed_interval_at_least_30s"),
            models.CheckConstraint(condition=Q(kind__in=["detect", "rss", "atom", "g2", "ninjs"]),
                                   name="feed_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["new", "ok", "not_modified", "error"]),
                                   name="feed_status_valid"),
        ]
        indexes = [models.Index(fields=["is_enabled", "next_poll_at"], name="feed_due_idx")]

    def __str__(self) -> str:
        return self.url
