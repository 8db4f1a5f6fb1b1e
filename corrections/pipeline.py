"""The only place that connects passes to models: contexts in, stored suggestions out."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.audit import SystemActor, audit_event, record_event
from articles.models import Article, AuditEvent, Revision, StorySignature
from articles.search import index_revision
from articles.stories import join_story, signature_similarity
from corrections import budget, jobs, lease, story_refresh, titles
from corrections.conflicts import SET_ASIDE, settle_conflicts
from corrections.echoes import mark_echoes
from corrections.models import EdgeLine, PassRun, PipelineJob, StoryRefresh, Suggestion
from corrections.pass_config import pass_modules
from corrections.passes import base, boilerplate
from corrections.passes.boilerplate import edge_lines
from corrections.reference import ReferenceSnapshot, get_reference_snapshot
from corrections.revisions import (
    BODY,
    TITLE,
    apply_to_text,
    changes_from_suggestions,
    create_revision,
    edits_clash,
    in_field,
)
from corrections.starter_data import load_boilerplate_patterns
from newsroom import metrics

logger = logging.getLogger(__name__)

# Kinds for which an editor's rejection of "X → Y" suppresses the same pair everywhere.
LEARNED_KINDS = frozenset({"entity", "spelling", "style"})
RECENT_SOURCE_ARTICLES = 30
RECENT_SHARED_ARTICLES = 500


@lru_cache(maxsize=1)
def _starter_patterns() -> tuple[str, ...]:
    return load_boilerplate_patterns()


def pass_actor(module: base.PassModule) -> SystemActor:
    return SystemActor(f"pass {module.NAME} v{module.VERSION}")


# --- context --------------------------------------------------------------------------------


# A story's copy at its current revision, without its text: (article id, source id, source slug,
# MinHash signature as stored).
StoryRow = tuple[int, int, str, bytes | memoryview | None]


def story_rows(story_id: int, article: Article | None = None) -> list[StoryRow]:
    """The story's copies at their current revision, newest first; with ``article``, what
    :func:`sibling_texts` may choose from for it (not its own outlet's, the newest
    ``NEWSROOM_MAX_SIBLINGS`` × 10)."""
    rows = Revision.objects.filter(article__story_id=story_id, number=F("article__revision_number"))
    if article is not None:
        rows = rows.exclude(article_id=article.pk).exclude(article__source_id=article.source_id)
    listed = rows.order_by("-article_id").values_list(
        "article_id", "article__source_id", "article__source__slug", "article__story_signature__minhash")
    return list(listed if article is None else listed[: settings.NEWSROOM_MAX_SIBLINGS * 10])


def choose_siblings(rows: list[StoryRow], article_id: int, source_id: int,
                    similarity: Callable[[StoryRow], float]) -> list[StoryRow]:
    """Of the story's copies ``rows`` (newest first), those that speak for the other outlets to
    the article: per outlet its copy most like the article (``similarity``; the newest on a tie),
    the ``NEWSROOM_MAX_SIBLINGS`` most like it, in article order."""
    best: dict[str, tuple[float, StoryRow]] = {}
    candidates = [row for row in rows if row[0] != article_id and row[1] != source_id]
    for row in candidates[: settings.NEWSROOM_MAX_SIBLINGS * 10]:
        score = similarity(row)
        if row[2] not in best or score > best[row[2]][0]:
            best[row[2]] = (score, row)
    chosen = sorted(best.values(), key=lambda item: (-item[0], -item[1][0]))[: settings.NEWSROOM_MAX_SIBLINGS]
    return sorted((row for _, row in chosen), key=lambda row: row[0])


def current_texts(article_ids: Iterable[int]) -> dict[int, str]:
    """The current text of each of these articles."""
    return dict(Revision.objects.filter(article_id__in=list(article_ids), number=F("article__revision_number"))
                .values_list("article_id", "text"))


def sibling_texts(article: Article, text: str | None = None, story: StoryCopies | None = None,
                  ) -> tuple[base.SiblingText, ...]:
    """The current text of the story's other outlets: per outlet, its copy most like this one
    (whose current text is ``text``), with near-identical copies marked as echoes (corrections.echoes).

    A story can gather an outlet's copies of neighbouring events too; the copy closest to this
    article (by the MinHash signatures the clustering keeps) is the one that speaks for it.
    ``story``: the story's copies read once for many articles (a refresh).
    """
    if article.story_id is None or settings.NEWSROOM_MAX_SIBLINGS == 0:
        return ()
    if story is not None:
        mine = story.signature(article.pk)
        chosen = story.siblings_of(article.pk, article.source_id)
        texts = story.texts([row[0] for row in chosen])
    else:
        mine = StorySignature.objects.filter(article_id=article.pk).values_list("minhash", flat=True).first()

        def similarity(row: StoryRow) -> float:
            return signature_similarity(mine, row[3]) if mine is not None and row[3] is not None else 0.0

        chosen = choose_siblings(story_rows(article.story_id, article), article.pk, article.source_id, similarity)
        texts = current_texts(row[0] for row in chosen)
    siblings = [(base.SiblingText(article_id=a, source=slug, text=texts[a]), sig) for a, _, slug, sig in chosen
                if a in texts]
    if text is None:
        text = Revision.objects.get(article_id=article.pk, number=article.revision_number).text
    return mark_echoes(text, mine, siblings, signature_similarity)


class StoryCopies:
    """A story's copies read once, for refreshing many of them (corrections/story_refresh.py):
    their sources and signatures in one query, their texts when first asked for, and the
    similarity of each to each computed at once."""

    def __init__(self, story_id: int) -> None:
        self.story_id = story_id
        self.rows = story_rows(story_id)
        self.index = {row[0]: i for i, row in enumerate(self.rows)}
        width = len(self.rows[0][3]) // 8 if self.rows and self.rows[0][3] is not None else 0
        self.has_signature = np.array([row[3] is not None and len(row[3]) // 8 == width for row in self.rows], dtype=bool)
        self.matrix = np.zeros((len(self.rows), max(width, 1)), dtype=np.uint64)
        for i, row in enumerate(self.rows):
            if self.has_signature[i] and width:
                self.matrix[i] = np.frombuffer(bytes(row[3]), dtype=np.uint64)  # type: ignore[arg-type]
        self._texts: dict[int, str] = {}
        self._shared: tuple[base.EdgeLineStat, ...] | None = None

    def signature(self, article_id: int) -> bytes | memoryview | None:
        i = self.index.get(article_id)
        return None if i is None else self.rows[i][3]

    def similarities(self, article_id: int) -> np.ndarray:
        """The estimated similarity of the article to each copy (0 where either has no signature)."""
        i = self.index.get(article_id)
        if i is None or not self.has_signature[i]:
            return np.zeros(len(self.rows))
        same = np.count_nonzero(self.matrix == self.matrix[i], axis=1) / self.matrix.shape[1]
        return np.where(self.has_signature, same, 0.0)

    def siblings_of(self, article_id: int, source_id: int) -> list[StoryRow]:
        """What :func:`choose_siblings` chooses for the article among the story's copies."""
        scores = self.similarities(article_id)
        return choose_siblings(self.rows, article_id, source_id, lambda row: float(scores[self.index[row[0]]]))

    def shared_lines(self, article: Article) -> tuple[base.EdgeLineStat, ...]:
        """:func:`shared_edge_lines` for a copy of this story: the same for each of them (they
        leave out the story's own copies), so read once."""
        if self._shared is None:
            self._shared = shared_edge_lines(article)
        return self._shared

    def texts(self, article_ids: list[int]) -> dict[int, str]:
        missing = [a for a in article_ids if a not in self._texts]
        if missing:
            self._texts.update(current_texts(missing))
        return {a: self._texts[a] for a in article_ids if a in self._texts}


def boilerplate_profile(article: Article, revision: Revision,
                        story: StoryCopies | None = None) -> base.BoilerplateProfile:
    """How often each edge line opened or closed the source's recent, distinct articles (``story``:
    the story's copies read once for a refresh, which also keep the lines shared by other stories)."""
    recent = list(
        EdgeLine.objects.filter(source_id=article.source_id)
        .exclude(article_id=article.pk)
        .exclude(text_sha256=revision.text_sha256)
        .order_by("-article_id")
        .values_list("article_id", "text_sha256")
        .distinct()[: RECENT_SOURCE_ARTICLES * 4]
    )
    article_ids: list[int] = []
    hashes: set[str] = set()
    for article_id, digest in recent:
        if digest in hashes:
            continue  # the same text re-sent under another id is one article, not two
        hashes.add(digest)
        article_ids.append(article_id)
        if len(article_ids) >= RECENT_SOURCE_ARTICLES:
            break
    stats: tuple[base.EdgeLineStat, ...] = ()
    if article_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT position, line, COUNT(DISTINCT text_sha256)
                FROM corrections_edgeline
                WHERE article_id = ANY(%s)
                GROUP BY position, line
                HAVING COUNT(DISTINCT text_sha256) >= 2
                ORDER BY position, line
                """,
                [article_ids],
            )
            stats = tuple(base.EdgeLineStat(line=line, position=pos, count=n) for pos, line, n in cursor.fetchall())
    shared = story.shared_lines(article) if story is not None else shared_edge_lines(article)
    return base.BoilerplateProfile(recent_articles=len(article_ids), edge_lines=stats, patterns=_starter_patterns(),
                                   shared_lines=shared)


def shared_edge_lines(article: Article) -> tuple[base.EdgeLineStat, ...]:
    """Edge lines of recent articles of other stories, with how many stories and outlets had them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.position, e.line, COUNT(DISTINCT COALESCE(a.story_id, -a.id)), COUNT(DISTINCT a.source_id)
            FROM corrections_edgeline e
            JOIN articles_article a ON a.id = e.article_id
            WHERE e.article_id >= (
                SELECT COALESCE(MIN(id), 0) FROM (
                    SELECT id FROM articles_article ORDER BY id DESC LIMIT %(recent)s) AS newest)
              AND e.article_id <> %(me)s
              AND a.story_id IS DISTINCT FROM %(story)s
            GROUP BY e.position, e.line
            HAVING COUNT(DISTINCT COALESCE(a.story_id, -a.id)) >= %(stories)s
               AND COUNT(DISTINCT a.source_id) >= %(sources)s
            ORDER BY e.position, e.line
            """,
            {"recent": RECENT_SHARED_ARTICLES, "me": article.pk, "story": article.story_id,
             "stories": boilerplate.MIN_SHARED_STORIES, "sources": boilerplate.MIN_SHARED_SOURCES},
        )
        return tuple(base.EdgeLineStat(line=line, position=pos, count=stories, sources=sources)
                     for pos, line, stories, sources in cursor.fetchall())


def build_context(article: Article, revision: Revision, snapshot: ReferenceSnapshot,
                  story: StoryCopies | None = None) -> base.PassContext:
    return base.PassContext(
        source=article.source.slug,
        language=article.language,
        title=revision.title,
        gazetteer=snapshot.gazetteer,
        style_rules=snapshot.style_rules,
        siblings=sibling_texts(article, revision.text, story),
        boilerplate=boilerplate_profile(article, revision, story),
        suppressed=snapshot.suppressed,
    )


def story_key(module: base.PassModule, context: base.PassContext, text: str) -> str:
    """A fingerprint of what the pass reads of the story (context.siblings) for ``text``: what it
    says it reads (its ``story_evidence``: a copy printing what the others print already changes
    nothing), else every sibling's text; "" for a pass that reads no story."""
    if not module.USES_SIBLINGS:
        return ""
    if module.story_evidence is not None:
        return module.story_evidence(text, context)
    digest = hashlib.sha256()
    for sibling in context.siblings:
        digest.update(f"{sibling.article_id}:{len(sibling.text)}:{sibling.echo_group}:{sibling.is_echo}:".encode())
        digest.update(hashlib.sha256(sibling.text.encode("utf-8", "surrogatepass")).digest())
    return digest.hexdigest()


def evidence_key(module: base.PassModule, context: base.PassContext, text: str) -> str:
    """A fingerprint of the context a pass depends on beyond the text (``text``, a revision's): when
    it changes, the pass's suggestions may change, and a refresh recomputes them. Two parts,
    "s<story>h<history>" (:func:`split_key`): what it reads of the story (:func:`story_key`), and
    of the source's recent articles (context.boilerplate)."""
    if not module.USES_SIBLINGS and not module.USES_SOURCE_HISTORY:
        return ""
    story = _short(story_key(module, context, text)) if module.USES_SIBLINGS else ""
    history = ""
    if module.USES_SOURCE_HISTORY:
        profile = context.boilerplate
        history = _short(repr((profile.recent_articles, profile.edge_lines, profile.shared_lines)))
    return f"s{story}h{history}"


def _short(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=15).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """The story and history parts of an evidence key; None for a key of an older format."""
    if key[:1] != "s":
        return None
    story, sep, history = key[1:].partition("h")  # hex digits hold no "h"
    return (story, history) if sep and len(story) in (0, 30) and len(history) in (0, 30) else None


def record_edge_lines(article: Article, revision: Revision) -> None:
    rows = [
        EdgeLine(source_id=article.source_id, article=article, text_sha256=revision.text_sha256,
                 position=position, line=line[:300])
        for position, line in edge_lines(revision.text)
    ]
    EdgeLine.objects.bulk_create(rows, ignore_conflicts=True)


def warm_up() -> None:
    """Load what passes load lazily (dictionaries, the gazetteer index) before the first article,
    so that its latency is the passes' and not the process's start-up."""
    snapshot = get_reference_snapshot()
    context = base.PassContext(gazetteer=snapshot.gazetteer, style_rules=snapshot.style_rules,
                               boilerplate=base.BoilerplateProfile(patterns=_starter_patterns()))
    sample = "President Emanuel Macron met the mayor of Kiev.\n\nShe said teh talks were usefull. Post a Comment"
    for module in pass_modules():
        module.run(sample, context)


# --- running passes -------------------------------------------------------------------------


def is_kept(module: base.PassModule, text: str, context: base.PassContext, s: base.Suggestion) -> bool:
    """A well-formed suggestion that changes something and that editors have not suppressed."""
    if not (0 <= s.start <= s.end <= len(text)) or text[s.start : s.end] != s.original:
        logger.error("pass %s returned a suggestion that does not match the text at %s", module.NAME, s.start)
        return False
    if s.original == s.replacement:
        return False
    return not (s.kind in LEARNED_KINDS and (s.original, s.replacement) in context.suppressed)


def compute_suggestions(module: base.PassModule, text: str, context: base.PassContext) -> list[base.Suggestion]:
    """Run a pass and keep only well-formed suggestions that editors have not suppressed (no
    limits: for short texts; a revision's body goes through :func:`compute_bounded`)."""
    return [s for s in module.run(text, context) if is_kept(module, text, context, s)]


def compute_bounded(module: base.PassModule, text: str, context: base.PassContext,
                    allowance: int | None = None) -> budget.BoundedRun:
    """Run a pass on a revision's text within its budget (corrections.budget), keeping what
    :func:`compute_suggestions` keeps: at most ``allowance`` (by default the limit per pass), the
    first in text order, and a notice when the pass stopped short."""
    limits = budget.limits_from_settings()
    return budget.run_bounded(module, text, context, limits=limits,
                              allowance=limits.per_pass if allowance is None else min(allowance, limits.per_pass),
                              keep=lambda s: is_kept(module, text, context, s))


def compute_title_suggestions(module: base.PassModule, title: str, context: base.PassContext) -> list[base.Suggestion]:
    """The pass's suggestions for the revision's title, when it reads titles (corrections.titles).
    A title is one line of at most 2,000 characters: no budget applies."""
    if not titles.runs_on_title(module):
        return []
    return compute_suggestions(module, title, titles.title_context(context))


def _row(revision: Revision, run: PassRun | None, module: base.PassModule, s: base.Suggestion,
         field: str = BODY) -> Suggestion:
    return Suggestion(
        revision=revision, pass_run=run, pass_name=module.NAME, kind=s.kind, field=field, start=s.start, end=s.end,
        original=s.original, replacement=s.replacement, confidence=s.confidence, explanation=s.explanation,
        evidence=list(s.evidence), rule=s.rule,
    )


@dataclass(slots=True)
class PassResult:
    """One pass run on a revision, computed and not yet stored."""

    module: base.PassModule
    bounded: budget.BoundedRun
    in_title: list[base.Suggestion]
    seconds: float
    evidence_key: str

    @property
    def count(self) -> int:
        return len(self.bounded.suggestions) + len(self.in_title)

    def run_row(self, revision: Revision) -> PassRun:
        return PassRun(revision=revision, pass_name=self.module.NAME, pass_version=self.module.VERSION,
                       evidence_key=self.evidence_key, duration_ms=self.seconds * 1000,
                       suggestion_count=self.count, stop_reason=self.bounded.stop_reason,
                       stop_note=self.bounded.stop_note)


def compute_pass(revision: Revision, module: base.PassModule, context: base.PassContext,
                 allowance: int | None = None) -> PassResult:
    """Run one pass on the revision's text and title within its budget, storing nothing."""
    bounded = compute_bounded(module, revision.text, context, allowance)
    started = time.perf_counter()
    in_title = compute_title_suggestions(module, revision.title, context)
    return PassResult(module, bounded, in_title, bounded.seconds + time.perf_counter() - started,
                      evidence_key(module, context, revision.text))


def run_passes(revision: Revision, modules: tuple[base.PassModule, ...], context: base.PassContext) -> None:
    """Run every pass version not yet run on the revision, then store them all at once (one
    statement per table), each at most once. The passes share the article's limit of suggestions:
    each may use an equal part of what the passes before it left (corrections.budget.fair_share),
    so every pass runs on a monster. When a pass fails, those run before it are stored first, so a
    retry runs only what is left."""
    done = {(name, version): n for name, version, n in PassRun.objects.filter(revision=revision)
            .values_list("pass_name", "pass_version", "suggestion_count")}
    remaining = budget.limits_from_settings().per_article
    results: list[PassResult] = []
    try:
        for i, module in enumerate(modules):
            stored = done.get((module.NAME, module.VERSION))
            if stored is None:
                result = compute_pass(revision, module, context, budget.fair_share(remaining, len(modules) - i))
                results.append(result)
                stored = result.count
            remaining = max(0, remaining - stored)
    finally:
        store_passes(revision, results)


def store_passes(revision: Revision, results: list[PassResult]) -> None:
    """Store computed pass runs with their suggestions and audit rows, in one transaction; a run
    another task stored meanwhile (unique per revision and version) is left as that one stored it."""
    if not results:
        return
    try:
        with transaction.atomic():
            runs = PassRun.objects.bulk_create([r.run_row(revision) for r in results])
            _store_outputs(revision, list(zip(runs, results, strict=True)))
    except IntegrityError:
        logger.info("pass runs of revision %s were stored meanwhile; storing the rest one by one", revision.pk)
        for result in results:
            with transaction.atomic():
                run, created = PassRun.objects.get_or_create(
                    revision=revision, pass_name=result.module.NAME, pass_version=result.module.VERSION,
                    defaults={"evidence_key": result.evidence_key, "duration_ms": result.seconds * 1000,
                              "suggestion_count": result.count, "stop_reason": result.bounded.stop_reason,
                              "stop_note": result.bounded.stop_note})
                if created:
                    _store_outputs(revision, [(run, result)])


def _store_outputs(revision: Revision, pairs: list[tuple[PassRun, PassResult]]) -> None:
    rows: list[Suggestion] = []
    events = []
    for run, result in pairs:
        module, bounded = result.module, result.bounded
        rows += [_row(revision, run, module, s) for s in bounded.stored]
        rows += [_row(revision, run, module, s, TITLE) for s in result.in_title]
        detail: dict[str, object] = {"pass": module.NAME, "version": module.VERSION,
                                     "suggestions": result.count, "ms": round(result.seconds * 1000, 2)}
        if bounded.stop_note:
            detail["stopped"] = bounded.stop_note
        events.append(audit_event(action="pass.run", actor=pass_actor(module), obj=run,
                                  article_id=revision.article_id, revision_number=revision.number, detail=detail))
        metrics.observe_pass(module.NAME, result.seconds, [s.kind for s in [*bounded.suggestions, *result.in_title]])
    Suggestion.objects.bulk_create(rows, ignore_conflicts=True)
    AuditEvent.objects.bulk_create(events)


def process_revision(job: PipelineJob) -> None:
    """Put the article in its story (once: articles.stories.join_story), run every pass on the
    job's revision, auto-apply what policy allows, and ask for the story's refresh (its own queued
    job, coalesced per story: corrections/story_refresh.py).

    The passes' runs are stored together (:func:`run_passes`)."""
    revision = job.revision
    join_story(job.article_id)  # first: the passes that read the story's other copies see it
    index_revision(revision.pk)  # the desk's search (articles.search), left out of the ingest
    article = Article.objects.select_related("source").get(pk=job.article_id)
    if revision.ingest_request_id is not None:
        record_edge_lines(article, revision)
    snapshot = get_reference_snapshot()
    context = build_context(article, revision, snapshot)
    run_passes(revision, pass_modules(), context)
    settle(revision)
    auto_apply(article.pk, revision.pk)
    story_refresh.request_refresh(article)


def settle(revision: Revision) -> int:
    """Set aside the suggestions that contradict stronger ones of other passes (corrections.conflicts)."""
    return settle_conflicts(revision)


def run_job(job_id: int, task_id: str = "", is_retry: bool = False) -> PipelineJob | None:
    """Claim the job, process its revision and mark it done. Returns None if not claimed.

    Exceptions propagate after the attempt is recorded (the task decides about retrying).
    """
    job = jobs.claim_job(job_id, task_id=task_id, is_retry=is_retry)
    if job is None:
        return None
    with lease.kept(job):
        jobs.mark_processing(job)
        process_revision(job)
        jobs.finish_job(job)
    return job


# --- auto-apply -----------------------------------------------------------------------------


def auto_apply(article_id: int, revision_id: int) -> Revision | None:
    """Apply pending suggestions of the auto-apply kinds as a system revision (still reviewable)."""
    kinds = settings.NEWSROOM_AUTO_APPLY_KINDS
    if not kinds:
        return None
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        revision = Revision.objects.get(pk=revision_id)
        if article.revision_number != revision.number:
            return None
        candidates = sorted(
            revision.suggestions.filter(status=Suggestion.Status.PENDING, kind__in=kinds).exclude(
                kind=budget.NOTICE_KIND),
            key=lambda s: (-s.confidence, s.field, s.start, s.pk),
        )
        chosen: list[Suggestion] = []
        for s in candidates:
            if not any(edits_clash(s, c) for c in chosen):
                chosen.append(s)
        title = in_field(chosen, TITLE)
        new_title = apply_to_text(revision.title, title)
        if not new_title.strip():  # a title is never repaired away; leave its repairs to an editor
            title, new_title = [], revision.title
            chosen = in_field(chosen, BODY)
        if not chosen:
            return None
        body = in_field(chosen, BODY)
        actor = SystemActor("auto-apply")
        new = create_revision(
            article=article, base=revision, text=apply_to_text(revision.text, body),
            changes=changes_from_suggestions(body), actor=actor,
            reason="auto-applied repairs: " + ", ".join(sorted({s.kind for s in chosen})),
            exclude_from_carry=[s.pk for s in chosen], title=new_title, title_changes=changes_from_suggestions(title),
        )
        now = timezone.now()
        metrics.count_suggestions([s.kind for s in chosen], "applied")
        for s in chosen:
            Suggestion.objects.filter(pk=s.pk).update(status=Suggestion.Status.APPLIED, decided_at=now,
                                                      result_revision=new, applied_replacement=s.replacement,
                                                      status_note="auto-applied by policy")
            record_event(action="suggestion.applied", actor=actor, obj=s, article_id=article.pk,
                         revision_number=revision.number, detail={"kind": s.kind, "result_revision": new.number})
        return new


# --- story refresh (queued and coalesced by corrections/story_refresh.py) ---------------------


def sibling_modules() -> list[base.PassModule]:
    """The passes that read the story's other copies: the only ones a story refresh runs again."""
    return [m for m in pass_modules() if m.USES_SIBLINGS]


def history_modules() -> list[base.PassModule]:
    """The passes that read recent articles' edge lines."""
    return [m for m in pass_modules() if m.USES_SOURCE_HISTORY]


@dataclass(slots=True)
class RefreshStats:
    """What one story refresh did: the copies it was for, the copies whose siblings include one of
    them (``affected``), the articles of other stories sharing an edge line (``shared``), the
    passes it ran again (an unchanged evidence key runs none), the suggestions added or withdrawn,
    and its time."""

    story_id: int
    copies: int = 0
    affected: int = 0
    shared: int = 0
    passes_run: int = 0
    changed: int = 0
    ms: float = 0.0

    def add(self, ran: tuple[int, int]) -> None:
        self.passes_run += ran[0]
        self.changed += ran[1]

    def as_dict(self) -> dict[str, float]:
        return {"story": self.story_id, "copies": self.copies, "affected": self.affected, "shared": self.shared,
                "passes_run": self.passes_run, "changed": self.changed, "ms": round(self.ms, 1)}


def run_refresh(story_id: int, task_id: str = "") -> RefreshStats | None:
    """Claim the story's pending refresh, run it and finish it (corrections/story_refresh.py).
    None when there was nothing to claim. Database errors propagate after the claim is given back
    (the task retries)."""
    claimed = story_refresh.claim(story_id, task_id or f"inline-{time.monotonic_ns()}")
    if claimed is None:
        return None
    try:
        stats = refresh_story(story_id, claimed.article_ids)
    except (DatabaseError, SoftTimeLimitExceeded):
        story_refresh.release(claimed)
        raise
    except Exception:  # a pass failing on one copy must not bring the refresh back for ever
        logger.exception("the refresh of story %s failed; its copies keep their suggestions", story_id)
        stats = RefreshStats(story_id)
    story_refresh.finish(claimed)
    return stats


def run_pending_refreshes(rounds: int = 10) -> int:
    """Run every pending story refresh here and now, whatever its due time (tests, benchmarks,
    an operator draining the queue by hand). Returns the suggestions added or withdrawn."""
    changed = 0
    for _ in range(rounds):
        pending = list(StoryRefresh.objects.filter(claimed_by="").values_list("story_id", flat=True))
        if not pending:
            break
        for story_id in pending:
            stats = run_refresh(story_id)
            changed += stats.changed if stats is not None else 0
    return changed


def refresh_story(story_id: int, article_ids: Iterable[int]) -> RefreshStats:
    """The story's refresh after the copies ``article_ids`` joined it (or changed): recompute the
    story-reading passes of the copies whose siblings now include one of them
    (:func:`affected_copies`), and the history-reading passes of recent articles of other stories
    that share an edge line with them (:func:`shared_edge_candidates`). A pass whose evidence for
    a copy is unchanged (its evidence key) is not run again."""
    started = time.perf_counter()
    snapshot = get_reference_snapshot()
    new = set(article_ids)
    stats = RefreshStats(story_id, copies=len(new))
    modules = sibling_modules()
    if modules and settings.NEWSROOM_MAX_SIBLINGS:
        story = StoryCopies(story_id)
        affected = affected_copies(story, new)
        stats.affected = len(affected)
        for article_id in story_changed(story, affected, modules):
            stats.add(refresh_article(article_id, modules, snapshot, story))
    history = history_modules()
    if history:
        candidates: dict[int, None] = {}
        for article in Article.objects.filter(pk__in=new).order_by("pk"):
            revision = (Revision.objects.filter(article_id=article.pk, ingest_request__isnull=False)
                        .order_by("-number").first())
            if revision is not None:
                candidates.update(dict.fromkeys(shared_edge_candidates(article, revision)))
        shared = list(candidates)[:RECENT_SOURCE_ARTICLES]
        stats.shared = len(shared)
        for article_id in history_changed(shared, history):
            stats.add(refresh_article(article_id, history, snapshot))
    stats.ms = (time.perf_counter() - started) * 1000
    return stats


def story_changed(story: StoryCopies, article_ids: list[int], modules: list[base.PassModule]) -> list[int]:
    """Of these copies of ``story``, those for which a pass of ``modules`` now reads other evidence
    of the story than when it last ran (the story part of its evidence key): the others need no
    refresh and cost no lock, no context and no pass. Read in two queries for all of them."""
    current = {article_id: (revision_id, text) for article_id, revision_id, text in Revision.objects.filter(
        article_id__in=article_ids, number=F("article__revision_number")).values_list("article_id", "id", "text")}
    runs, processed = _current_runs(article_ids, modules)
    sources = {row[0]: (row[1], row[2]) for row in story.rows}
    changed = []
    for article_id in article_ids:
        if article_id not in processed or article_id not in current or article_id not in sources:
            continue  # never processed: its own job reads the story
        revision_id, text = current[article_id]
        source_id, slug = sources[article_id]
        copy = Article(pk=article_id, story_id=story.story_id, source_id=source_id)
        context = base.PassContext(source=slug, siblings=sibling_texts(copy, text, story))
        for module in modules:
            parts = split_key(runs.get((revision_id, module.NAME, module.VERSION), ""))
            if parts is None or parts[0] != _short(story_key(module, context, text)):
                changed.append(article_id)
                break
    return changed


def _current_runs(article_ids: list[int], modules: list[base.PassModule],
                  ) -> tuple[dict[tuple[int, str, str], str], set[int]]:
    """The evidence keys of these articles' pass runs by (revision, pass, version), and which
    articles any of ``modules`` ran on at all."""
    runs: dict[tuple[int, str, str], str] = {}
    processed: set[int] = set()
    for article_id, revision_id, name, version, key in PassRun.objects.filter(
            revision__article_id__in=article_ids, pass_name__in=[m.NAME for m in modules]).values_list(
            "revision__article_id", "revision_id", "pass_name", "pass_version", "evidence_key"):
        processed.add(article_id)
        runs[(revision_id, name, version)] = key
    return runs, processed


def history_changed(article_ids: list[int], modules: list[base.PassModule]) -> list[int]:
    """Of these articles, those for which a pass of ``modules`` now reads other edge-line
    statistics than when it last ran (the history part of its evidence key)."""
    runs, processed = _current_runs(article_ids, modules)
    rows = (Revision.objects.filter(article_id__in=article_ids, number=F("article__revision_number"))
            .values_list("article_id", "id", "text_sha256", "article__source_id", "article__story_id"))
    changed = []
    for article_id, revision_id, sha, source_id, story_id in rows:
        if article_id not in processed:
            continue
        profile = boilerplate_profile(Article(pk=article_id, source_id=source_id, story_id=story_id),
                                      Revision(pk=revision_id, article_id=article_id, text_sha256=sha))
        history = _short(repr((profile.recent_articles, profile.edge_lines, profile.shared_lines)))
        for module in modules:
            parts = split_key(runs.get((revision_id, module.NAME, module.VERSION), ""))
            if parts is None or parts[1] != history:
                changed.append(article_id)
                break
    return changed


def affected_copies(story: StoryCopies, new: set[int]) -> list[int]:
    """The copies of ``story`` whose siblings (as :func:`sibling_texts` chooses them) include one
    of the ``new`` copies: of each outlet its newest copy (an outlet's older copies were
    superseded), newest first, at most ``NEWSROOM_MAX_SIBLINGS`` of them among the newest
    ``NEWSROOM_MAX_SIBLINGS`` × 10 outlets. Bounded so, a refresh costs the same in a story of 200
    copies as in one of 25."""
    limit = settings.NEWSROOM_MAX_SIBLINGS
    picked: list[int] = []
    outlets: set[int] = set()
    for article_id, source_id, _, _ in story.rows:
        if source_id in outlets:
            continue
        outlets.add(source_id)
        if len(outlets) > limit * 10:
            break
        if any(row[0] in new for row in story.siblings_of(article_id, source_id)):
            picked.append(article_id)
            if len(picked) >= limit:
                break
    return picked


def shared_edge_candidates(article: Article, revision: Revision) -> list[int]:
    """This article's first and last lines are new evidence about chrome: the recent articles (of
    other stories, in review) that share such a line, whose history-dependent passes a refresh
    recomputes, so that a footer is flagged in the articles that came before it was recognisable
    as one."""
    mine = edge_lines(revision.text)
    if not mine:
        return []
    newest = Article.objects.order_by("-id").values_list("id", flat=True)[RECENT_SHARED_ARTICLES - 1 : RECENT_SHARED_ARTICLES]
    floor = newest[0] if newest else 0
    shared = Q()
    for position, line in mine:
        shared |= Q(position=position, line=line[:300])
    others = EdgeLine.objects.filter(shared, article_id__gte=floor, article__status=Article.Status.IN_REVIEW)
    if article.story_id is not None:
        others = others.exclude(article__story_id=article.story_id)  # the story refresh covers those
    return list(
        others.exclude(article_id=article.pk)
        .order_by("-article_id")
        .values_list("article_id", flat=True)
        .distinct()[:RECENT_SOURCE_ARTICLES]
    )


def refresh_article(article_id: int, modules: list[base.PassModule], snapshot: ReferenceSnapshot,
                    story: StoryCopies | None = None) -> tuple[int, int]:
    """Reconcile the pending suggestions of ``modules`` on the article's current revision with what
    the passes say now (one context for all of them; ``story``: its story's copies, read once for
    the whole refresh). Returns the passes run again and the suggestions added or withdrawn.
    Suggestions an editor decided are never touched: only pending ones (and those set aside by a
    conflict) are withdrawn or updated."""
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("source").get(pk=article_id)
        processed = set(
            PassRun.objects.filter(revision__article_id=article_id, pass_name__in=[m.NAME for m in modules])
            .values_list("pass_name", flat=True)
        )
        todo = [m for m in modules if m.NAME in processed]  # never processed: its own job sees the story
        if not todo:
            return 0, 0
        revision = Revision.objects.get(article_id=article_id, number=article.revision_number)
        context = build_context(article, revision, snapshot,
                                story if story is not None and story.story_id == article.story_id else None)
        results = [_reconcile(article_id, revision, module, context) for module in todo]
        ran = sum(1 for changed in results if changed is not None)
        if ran:
            settle(revision)
        return ran, sum(changed or 0 for changed in results)


def _reconcile(article_id: int, revision: Revision, module: base.PassModule, context: base.PassContext) -> int | None:
    """The suggestions added or withdrawn; None when the pass's evidence is unchanged (not run)."""
    key = evidence_key(module, context, revision.text)
    run = PassRun.objects.filter(revision=revision, pass_name=module.NAME, pass_version=module.VERSION).first()
    if run is not None and run.evidence_key == key:
        return None
    others = (Suggestion.objects.filter(revision=revision).exclude(pass_name=module.NAME)
              .exclude(kind=budget.NOTICE_KIND).exclude(status=Suggestion.Status.STALE).count())
    bounded = compute_bounded(module, revision.text, context,
                              allowance=max(0, budget.limits_from_settings().per_article - others))
    in_title = compute_title_suggestions(module, revision.title, context)
    found = {(BODY, s.start, s.end, s.replacement): (BODY, s) for s in bounded.stored}
    found.update({(TITLE, s.start, s.end, s.replacement): (TITLE, s) for s in in_title})
    existing = {
        (s.field, s.start, s.end, s.replacement): s
        for s in Suggestion.objects.filter(revision=revision, pass_name=module.NAME)
    }
    now = timezone.now()
    changed = 0
    for k, row in existing.items():
        if row.status != Suggestion.Status.PENDING and not row.status_note.startswith(SET_ASIDE):
            continue
        if k not in found:
            row.status = Suggestion.Status.STALE
            row.status_note = "withdrawn: the story's copies no longer support it"
            row.decided_at = now
            row.save(update_fields=["status", "status_note", "decided_at"])
            changed += 1
        else:
            _, new = found[k]
            if (row.explanation, row.confidence) != (new.explanation, new.confidence):
                row.explanation, row.confidence, row.evidence = new.explanation, new.confidence, list(new.evidence)
                row.save(update_fields=["explanation", "confidence", "evidence"])
    for k, (field, s) in found.items():
        known = existing.get(k)
        if known is None:
            _row(revision, run, module, s, field).save()
            changed += 1
        elif known.status == Suggestion.Status.STALE and known.status_note.startswith("withdrawn"):
            known.status, known.status_note, known.decided_at = Suggestion.Status.PENDING, "", None
            known.explanation, known.confidence = s.explanation, s.confidence
            known.save(update_fields=["status", "status_note", "decided_at", "explanation", "confidence"])
            changed += 1
    if run is not None:
        run.evidence_key = key
        run.refreshed_at = now
        run.suggestion_count = len(bounded.suggestions) + len(in_title)
        run.stop_reason, run.stop_note = bounded.stop_reason, bounded.stop_note
        run.save(update_fields=["evidence_key", "refreshed_at", "suggestion_count", "stop_reason", "stop_note"])
    if changed:
        record_event(action="pass.refreshed", actor=pass_actor(module), obj=run, article_id=article_id,
                     revision_number=revision.number, detail={"pass": module.NAME, "changed": changed})
    return changed
