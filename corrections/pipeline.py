"""The only place that connects passes to models: contexts in, stored suggestions out."""

from __future__ import annotations

import hashlib
import logging
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.audit import SystemActor, record_event
from articles.models import Article, Revision, StorySignature
from articles.stories import join_story, signature_similarity
from corrections import budget, jobs, lease, titles
from corrections.conflicts import SET_ASIDE, settle_conflicts
from corrections.echoes import mark_echoes
from corrections.models import EdgeLine, PassRun, PipelineJob, Suggestion
from corrections.passes import base, boilerplate
from corrections.passes.boilerplate import edge_lines
from corrections.passes.registry import DEFAULT_PASSES, load_passes
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


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> tuple[base.PassModule, ...]:
    return tuple(load_passes(paths))


def pass_modules() -> tuple[base.PassModule, ...]:
    return _load(tuple(settings.NEWSROOM_PASSES) or DEFAULT_PASSES)


@lru_cache(maxsize=1)
def _starter_patterns() -> tuple[str, ...]:
    return load_boilerplate_patterns()


def pass_actor(module: base.PassModule) -> SystemActor:
    return SystemActor(f"pass {module.NAME} v{module.VERSION}")


# --- context --------------------------------------------------------------------------------


def sibling_texts(article: Article, text: str | None = None) -> tuple[base.SiblingText, ...]:
    """The current text of the story's other outlets: per outlet, its copy most like this one
    (whose current text is ``text``), with near-identical copies marked as echoes (corrections.echoes).

    A story can gather an outlet's copies of neighbouring events too; the copy closest to this
    article (by the MinHash signatures the clustering keeps) is the one that speaks for it.
    """
    if article.story_id is None or settings.NEWSROOM_MAX_SIBLINGS == 0:
        return ()
    rows = list(
        Revision.objects.filter(article__story_id=article.story_id, number=F("article__revision_number"))
        .exclude(article_id=article.pk)
        .exclude(article__source_id=article.source_id)
        .order_by("-article_id")
        .values_list("article_id", "article__source__slug", "text", "article__story_signature__minhash")[
            : settings.NEWSROOM_MAX_SIBLINGS * 10
        ]
    )
    mine = StorySignature.objects.filter(article_id=article.pk).values_list("minhash", flat=True).first()
    best: dict[str, tuple[float, int, str, bytes | None]] = {}
    for article_id, source, sibling_text, signature in rows:
        similarity = signature_similarity(mine, signature) if mine is not None and signature is not None else 0.0
        if source not in best or similarity > best[source][0]:
            best[source] = (similarity, article_id, sibling_text, signature)
    chosen = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1]))[: settings.NEWSROOM_MAX_SIBLINGS]
    siblings = sorted(((base.SiblingText(article_id=a, source=src, text=t), sig) for src, (_, a, t, sig) in chosen),
                      key=lambda pair: pair[0].article_id)
    if text is None:
        text = Revision.objects.get(article_id=article.pk, number=article.revision_number).text
    return mark_echoes(text, mine, siblings, signature_similarity)


def boilerplate_profile(article: Article, revision: Revision) -> base.BoilerplateProfile:
    """How often each edge line opened or closed the source's recent, distinct articles."""
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
    return base.BoilerplateProfile(recent_articles=len(article_ids), edge_lines=stats, patterns=_starter_patterns(),
                                   shared_lines=shared_edge_lines(article))


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


def build_context(article: Article, revision: Revision, snapshot: ReferenceSnapshot) -> base.PassContext:
    return base.PassContext(
        source=article.source.slug,
        language=article.language,
        title=revision.title,
        gazetteer=snapshot.gazetteer,
        style_rules=snapshot.style_rules,
        siblings=sibling_texts(article, revision.text),
        boilerplate=boilerplate_profile(article, revision),
        suppressed=snapshot.suppressed,
    )


def evidence_key(module: base.PassModule, context: base.PassContext) -> str:
    """A fingerprint of the context a pass depends on beyond the text: when it changes, the
    pass's suggestions may change, and a refresh recomputes them."""
    if not module.USES_SIBLINGS and not module.USES_SOURCE_HISTORY:
        return ""
    digest = hashlib.sha256()
    if module.USES_SIBLINGS:
        for sibling in context.siblings:
            digest.update(f"{sibling.article_id}:{len(sibling.text)}:{sibling.echo_group}:{sibling.is_echo}:".encode())
            digest.update(hashlib.sha256(sibling.text.encode("utf-8", "surrogatepass")).digest())
    if module.USES_SOURCE_HISTORY:
        profile = context.boilerplate
        digest.update(repr((profile.recent_articles, profile.edge_lines, profile.shared_lines)).encode())
    return digest.hexdigest()


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


def run_pass(revision: Revision, module: base.PassModule, context: base.PassContext,
             allowance: int | None = None) -> PassRun:
    """Run one pass version on one revision and store its suggestions, at most once: at most
    ``allowance`` of them (the article's remaining share), and a notice when it stopped short."""
    with transaction.atomic():
        run, created = PassRun.objects.get_or_create(
            revision=revision, pass_name=module.NAME, pass_version=module.VERSION,
            defaults={"evidence_key": evidence_key(module, context)},
        )
        if not created:
            return run
        bounded = compute_bounded(module, revision.text, context, allowance)
        started = time.perf_counter()
        in_title = compute_title_suggestions(module, revision.title, context)
        seconds = bounded.seconds + time.perf_counter() - started
        run.duration_ms = seconds * 1000
        metrics.observe_pass(module.NAME, seconds, [s.kind for s in [*bounded.suggestions, *in_title]])
        run.suggestion_count = len(bounded.suggestions) + len(in_title)
        run.stop_reason, run.stop_note = bounded.stop_reason, bounded.stop_note
        run.save(update_fields=["duration_ms", "suggestion_count", "stop_reason", "stop_note"])
        Suggestion.objects.bulk_create([*(_row(revision, run, module, s) for s in bounded.stored),
                                        *(_row(revision, run, module, s, TITLE) for s in in_title)],
                                       ignore_conflicts=True)
        detail: dict[str, object] = {"pass": module.NAME, "version": module.VERSION,
                                     "suggestions": run.suggestion_count, "ms": round(run.duration_ms, 2)}
        if bounded.stop_note:
            detail["stopped"] = bounded.stop_note
        record_event(action="pass.run", actor=pass_actor(module), obj=run, article_id=revision.article_id,
                     revision_number=revision.number, detail=detail)
    return run


def process_revision(job: PipelineJob) -> None:
    """Put the article in its story (once: articles.stories.join_story), run every pass on the
    job's revision, auto-apply what policy allows, refresh the story.

    The passes share the article's limit of suggestions: each may use an equal part of what the
    passes before it left (corrections.budget.fair_share), so every pass runs on a monster."""
    revision = job.revision
    join_story(job.article_id)  # first: the passes that read the story's other copies see it
    article = Article.objects.select_related("source").get(pk=job.article_id)
    if revision.ingest_request_id is not None:
        record_edge_lines(article, revision)
    snapshot = get_reference_snapshot()
    context = build_context(article, revision, snapshot)
    remaining = budget.limits_from_settings().per_article
    modules = pass_modules()
    for i, module in enumerate(modules):
        run = run_pass(revision, module, context, allowance=budget.fair_share(remaining, len(modules) - i))
        remaining = max(0, remaining - run.suggestion_count)
    settle(revision)
    auto_apply(article.pk, revision.pk)
    refresh_story_siblings(article, snapshot)
    if revision.ingest_request_id is not None:
        refresh_shared_edges(article, revision, snapshot)


def settle(revision: Revision) -> int:
    """Set aside the suggestions that contradict stronger ones of other passes (corrections.conflicts)."""
    return settle_conflicts(revision, [m.NAME for m in pass_modules()])


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


# --- story refresh --------------------------------------------------------------------------


def refresh_story_siblings(article: Article, snapshot: ReferenceSnapshot) -> int:
    """A new copy joined the story: recompute the sibling-dependent suggestions of the others."""
    modules = [m for m in pass_modules() if m.USES_SIBLINGS]
    if not modules or article.story_id is None:
        return 0
    # The newest copy of each other outlet: older copies from the same outlet were superseded.
    sibling_ids = list(
        Article.objects.filter(story_id=article.story_id)
        .exclude(pk=article.pk)
        .exclude(source_id=article.source_id)
        .order_by("source_id", "-id")
        .distinct("source_id")
        .values_list("id", flat=True)[: settings.NEWSROOM_MAX_SIBLINGS]
    )
    return _refresh_all(sibling_ids, modules, snapshot)


def refresh_shared_edges(article: Article, revision: Revision, snapshot: ReferenceSnapshot) -> int:
    """This article's first and last lines are new evidence about chrome: recompute the
    history-dependent passes of recent articles (of other stories) that share such a line, so that
    a footer is flagged in the articles that came before it was recognisable as one."""
    modules = [m for m in pass_modules() if m.USES_SOURCE_HISTORY]
    if not modules:
        return 0
    mine = edge_lines(revision.text)
    if not mine:
        return 0
    newest = Article.objects.order_by("-id").values_list("id", flat=True)[RECENT_SHARED_ARTICLES - 1 : RECENT_SHARED_ARTICLES]
    floor = newest[0] if newest else 0
    shared = Q()
    for position, line in mine:
        shared |= Q(position=position, line=line[:300])
    others = EdgeLine.objects.filter(shared, article_id__gte=floor, article__status=Article.Status.IN_REVIEW)
    if article.story_id is not None:
        others = others.exclude(article__story_id=article.story_id)  # the story refresh covers those
    candidates = list(
        others.exclude(article_id=article.pk)
        .order_by("-article_id")
        .values_list("article_id", flat=True)
        .distinct()[:RECENT_SOURCE_ARTICLES]
    )
    return _refresh_all(candidates, modules, snapshot)


def _refresh_all(article_ids: list[int], modules: list[base.PassModule], snapshot: ReferenceSnapshot) -> int:
    return sum(refresh_article(article_id, modules, snapshot) for article_id in article_ids)


def refresh_article(article_id: int, modules: list[base.PassModule], snapshot: ReferenceSnapshot) -> int:
    """Reconcile the pending suggestions of ``modules`` on the article's current revision with what
    the passes say now (one context for all of them). Returns the number added or withdrawn."""
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("source").get(pk=article_id)
        processed = set(
            PassRun.objects.filter(revision__article_id=article_id, pass_name__in=[m.NAME for m in modules])
            .values_list("pass_name", flat=True)
        )
        todo = [m for m in modules if m.NAME in processed]  # never processed: its own job sees the story
        if not todo:
            return 0
        revision = Revision.objects.get(article_id=article_id, number=article.revision_number)
        context = build_context(article, revision, snapshot)
        changed = sum(_reconcile(article_id, revision, module, context) for module in todo)
        settle(revision)
        return changed


def _reconcile(article_id: int, revision: Revision, module: base.PassModule, context: base.PassContext) -> int:
    key = evidence_key(module, context)
    run = PassRun.objects.filter(revision=revision, pass_name=module.NAME, pass_version=module.VERSION).first()
    if run is not None and run.evidence_key == key:
        return 0
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
