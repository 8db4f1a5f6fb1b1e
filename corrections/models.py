"""Pipeline jobs (the outbox), pass runs, suggestions, the gazetteer and house-style rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import MD5

from articles.models import Article, Revision, Source


class PipelineJob(models.Model):
    """The outbox row for running the passes on one revision.

    Written in the transaction that creates the revision; enqueued on commit; re-enqueued by the
    sweep when it was never picked up or its lease ran out.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="jobs")
    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="job")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)  # the Celery task id holding the lease
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="job_state_valid"
            ),
            models.CheckConstraint(condition=Q(attempts__lte=models.F("max_attempts")), name="job_attempts_capped"),
        ]
        indexes = [
            models.Index(fields=["state", "enqueued_at"], name="job_state_enqueued_idx",
                         condition=Q(state__in=["queued", "running"])),
            # The ops page's failed list and /metrics' count: few rows among millions of done ones.
            models.Index(fields=["-finished_at"], name="job_failed_idx", condition=Q(state="failed")),
            # The ops page's throughput: jobs made and finished in the last hour.
            models.Index(fields=["created_at"], name="job_created_idx"),
            models.Index(fields=["finished_at"], name="job_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.state}) for revision {self.revision_id}"


class StoryRefresh(models.Model):
    """A story's pending refresh: the outbox row of ``refresh_story_task``, at most one per story.

    Each copy whose passes ran adds its article to ``article_ids`` and bumps ``requested``; the row
    is published once, with a short countdown, so that copies arriving in the same seconds share
    one refresh (corrections/story_refresh.py). The task claims the row with a lease, refreshes,
    and deletes it, or, when more copies came meanwhile, keeps the newer ones and publishes again.
    """

    story = models.OneToOneField("articles.Story", primary_key=True, on_delete=models.CASCADE, related_name="+")
    article_ids = ArrayField(models.BigIntegerField(), default=list)  # the copies that joined since the last refresh
    requested = models.PositiveIntegerField(default=1)  # bumped by every request: a refresh knows what it covered
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()  # when its message is published to run
    claimed_by = models.CharField(max_length=64, blank=True)  # the Celery task id holding it
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="storyrefresh_due_idx")]

    def __str__(self) -> str:
        return f"refresh of story {self.story_id}"


class PassRun(models.Model):
    """One pass version run on one revision. Unique, so a repeated task stores nothing twice.

    ``stop_reason`` and ``stop_note`` say when the run stopped short of the whole text
    (corrections.budget): over its time budget or at a limit of suggestions.
    """

    class StopReason(models.TextChoices):
        NONE = "", "complete"
        TIME = "time", "time budget"
        PASS_LIMIT = "pass_limit", "suggestions per pass"
        ARTICLE_LIMIT = "article_limit", "suggestions per article"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="pass_runs")
    pass_name = models.CharField(max_length=50)
    pass_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(default=0)
    suggestion_count = models.PositiveIntegerField(default=0)
    evidence_key = models.CharField(max_length=64, blank=True)  # what the context held (siblings)
    stop_reason = models.CharField(max_length=20, choices=StopReason.choices, blank=True, default="", db_default="")
    stop_note = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["revision_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "pass_name", "pass_version"], name="passrun_unique_revision_pass_version"
            ),
            models.CheckConstraint(
                condition=Q(stop_reason__in=["", "time", "pass_limit", "article_limit"]),
                name="passrun_stop_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pass_name} v{self.pass_version} on revision {self.revision_id}"


# A suggestion's revision holds the whole text (up to megabytes): a query that joins the revision
# only for its number or article leaves it out with .defer(*REVISION_BULK).
REVISION_BULK = tuple(f"revision__{f.name}" for f in Revision._meta.local_fields if f.name == "text")


class Suggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        APPLIED = "applied"
        STALE = "stale"

    class Field(models.TextChoices):
        """What the offsets point into: the revision's text (the body) or its title."""

        BODY = "body"
        TITLE = "title"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="suggestions")
    pass_run = models.ForeignKey(PassRun, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions")
    pass_name = models.CharField(max_length=50)
    kind = models.CharField(max_length=30)
    field = models.CharField(max_length=5, choices=Field.choices, default=Field.BODY, db_default=Field.BODY)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    original = models.TextField()
    replacement = models.TextField()
    # What was actually applied on acceptance: the replacement, or the editor's edit of it.
    applied_replacement = models.TextField(blank=True, default="", db_default="")
    confidence = models.FloatField()
    explanation = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    # The reference row or pattern behind it, as the pass names it (passes.base.Suggestion.rule):
    # "style:12", "entity:7", "pattern:<key>", "chrome:source"; "" when no single rule decides.
    rule = models.CharField(max_length=100, blank=True, default="", db_default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    result_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="applied_suggestions"
    )

    class Meta:
        ordering = ["revision_id", "start", "end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "pass_name", "field", "start", "end", "replacement"],
                name="suggestion_unique_natural_key_field",
            ),
            models.CheckConstraint(condition=Q(field__in=["body", "title"]), name="suggestion_field_valid"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="suggestion_span_ordered"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="suggestion_confidence_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected", "applied", "stale"]),
                name="suggestion_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["revision", "status"], name="suggestion_revision_status_idx"),
            # Pass quality (corrections.quality) reads the editors' decisions of the last 30 days.
            models.Index(fields=["decided_at"], name="suggestion_decided_idx",
                         condition=Q(status__in=["accepted", "rejected"])),
            # "Every pending suggestion with the same original → replacement" (corrections.bulk):
            # a hash, since an original may be a whole paragraph, too long for a btree entry.
            models.Index(MD5("original"), name="suggestion_pending_orig_idx",
                         condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.original[:30]!r} → {self.replacement[:30]!r}"


class BulkDecision(models.Model):
    """One editor's "apply original → replacement to every pending suggestion" across articles.

    Each article it touched (or skipped) is a BulkDecisionArticle; the whole decision can be
    undone, article by article, as long as nothing else touched the changed text since.
    """

    class Status(models.TextChoices):
        APPLIED = "applied"
        UNDONE = "undone"
        PARTLY_UNDONE = "partly_undone"  # some articles could not be undone (see their reason)

    original = models.TextField()
    replacement = models.TextField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.APPLIED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["applied", "undone", "partly_undone"]),
                                   name="bulkdecision_status_valid"),
        ]

    def __str__(self) -> str:
        return f"bulk #{self.pk}: {self.original[:30]!r} → {self.replacement[:30]!r}"


class BulkDecisionArticle(models.Model):
    """What one bulk decision did to one article: accepted its suggestions as a new revision, or
    skipped it (edited since the preview...), and later undid it or could not."""

    class Status(models.TextChoices):
        APPLIED = "applied"
        SKIPPED = "skipped"
        UNDONE = "undone"
        NOT_UNDONE = "not_undone"  # an undo was asked for and refused (see reason)

    decision = models.ForeignKey(BulkDecision, on_delete=models.PROTECT, related_name="articles")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    seen_revision = models.PositiveIntegerField()  # the revision the preview showed
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True)
    suggestion_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)  # those accepted
    result_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["decision_id", "article_id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "article"], name="bulkdecisionarticle_unique"),
            models.CheckConstraint(condition=Q(status__in=["applied", "skipped", "undone", "not_undone"]),
                                   name="bulkdecisionarticle_status_valid"),
        ]

    def __str__(self) -> str:
        return f"bulk #{self.decision_id} on article {self.article_id}: {self.status}"


class EdgeLine(models.Model):
    """A normalised line that opened or closed an article: per-source boilerplate statistics."""

    class Position(models.TextChoices):
        TOP = "top"
        BOTTOM = "bottom"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="edge_lines")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="edge_lines")
    text_sha256 = models.CharField(max_length=64)  # identical re-sends count once
    position = models.CharField(max_length=6, choices=Position.choices)
    line = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-article_id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position", "line"], name="edgeline_unique"),
        ]
        indexes = [models.Index(fields=["source", "-article"], name="edgeline_source_article_idx")]


# --- gazetteer and house style ----------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.position}: {self.line[:60]}"


class Entity(models.Model):
    class Type(models.TextChoices):
        PERSON = "person"
        PLACE = "place"
        ORGANISATION = "organisation"
        OTHER = "other"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    description = models.CharField(max_length=300, blank=True)
    wikidata_id = models.CharField(max_length=20, blank=True)
    is_enabled = models.BooleanField(default=True)
    origin = models.CharField(max_length=20, default="seed")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["name", "type"], name="entity_unique_name_type"),
            models.CheckConstraint(
                condition=Q(type__in=["person", "place", "organisation", "other"]), name="entity_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Alias(models.Model):
    class Kind(models.TextChoices):
        VARIANT = "variant"
        MISSPELLING = "misspelling"
        STYLE = "style"

    class Origin(models.TextChoices):
        SEED = "seed"
        EDITOR = "editor"
        LEARNED = "learned"

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    surface = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VARIANT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.SEED)
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["entity_id", "surface"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(fields=["entity", "surface"], name="alias_unique_entity_surface"),
            models.CheckConstraint(
                condition=Q(kind__in=["variant", "misspelling", "style"]), name="alias_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.surface} → {self.entity.name}"


class StyleRule(models.Model):
    pattern = models.CharField(max_length=200)
    replacement = models.CharField(max_length=200)
    is_whole_word = models.BooleanField(default=True)
    is_case_sensitive = models.BooleanField(default=True)
    exceptions = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    explanation = models.CharField(max_length=300, blank=True)
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pattern", "id"]
        constraints = [models.UniqueConstraint(fields=["pattern"], name="stylerule_unique_pattern")]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.replacement}"


class Suppression(models.Model):
    """An editor rejected ``original`` → ``replacement``: never propose that pair again."""

    original = models.CharField(max_length=200)
    replacement = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion = models.ForeignKey(Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["original", "replacement"], name="suppression_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"never {self.original} → {self.replacement}"


class ReferenceVersion(models.Model):
    """A single row whose number moves whenever gazetteer, style rules or suppressions change
    (bumped by statement triggers), so that workers know when to rebuild their snapshot."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(id=1), name="referenceversion_single_row")]

    def __str__(self) -> str:
        return f"reference data v{self.version}"
