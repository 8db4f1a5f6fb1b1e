"""Reconciliation: the invariants that say nothing was lost or doubled, counted in any database.

Each check is one SQL query that counts the rows breaking an invariant (and names a few of them);
a healthy, settled system has zero everywhere. ``manage.py reconcile`` prints them and exits
non-zero when one fails; the chaos run (bench/chaos_run.py) and operators use it after a fault.

The checks follow ../shared/RELIABILITY.md section E: every ingested revision has exactly one
completed run of each configured pass, every suggestion is unique under its natural key, no job
stays queued or running past its lease (nor a story's refresh); and beyond it: one article per natural key, no article
stuck short of review (or of failed with a reason), suggestions that still match their text, one
ingest audit row per article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from corrections.pipeline import pass_modules

EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    count: int
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Reconciliation:
    checks: list[Check]
    totals: dict[str, int]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


# name, description, SQL returning one row per offending object (its label in the first column).
# %(grace)s and %(stale_queued)s (the sweep's threshold) are seconds; %(passes)s the configured
# pass names, comma-separated.
_CHECKS: list[tuple[str, str, str]] = [
    (
        "articles_duplicated",
        "more than one article per natural key (source, external_id)",
        """
        SELECT s.slug || '/' || a.external_id || ' x' || count(*)
        FROM articles_article a JOIN articles_source s ON s.id = a.source_id
        GROUP BY s.slug, a.external_id HAVING count(*) > 1
        """,
    ),
    (
        "articles_stuck",
        "articles received or processing with no job queued or running to move them on",
        """
        SELECT 'article ' || a.id || ' (' || a.status || ')'
        FROM articles_article a
        WHERE a.status IN ('received', 'processing')
          AND NOT EXISTS (SELECT 1 FROM corrections_pipelinejob j
                          WHERE j.article_id = a.id AND j.state IN ('queued', 'running'))
        """,
    ),
    (
        "articles_failed_without_reason",
        "failed articles with no reason recorded",
        "SELECT 'article ' || id FROM articles_article WHERE status = 'failed' AND btrim(status_detail) = ''",
    ),
    (
        "jobs_running_past_lease",
        "jobs running whose lease ran out longer ago than the grace (their worker is gone and no sweep took them back)",
        """
        SELECT 'job ' || id FROM corrections_pipelinejob
        WHERE state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now() - make_interval(secs => %(grace)s))
        """,
    ),
    (
        "jobs_queued_unswept",
        "jobs queued for longer than the sweep lets them wait, plus the grace (is beat running?)",
        """
        SELECT 'job ' || id FROM corrections_pipelinejob
        WHERE state = 'queued'
          AND COALESCE(enqueued_at, created_at) < now() - make_interval(secs => %(stale_queued)s + %(grace)s)
        """,
    ),
    (
        "story_refreshes_stuck",
        "story refreshes whose worker's lease ran out, or waiting past the sweep's net, longer ago than the "
        "grace (is beat running?)",
        """
        SELECT 'story ' || story_id FROM corrections_storyrefresh
        WHERE (claimed_by <> '' AND lease_expires_at < now() - make_interval(secs => %(grace)s))
           OR (claimed_by = '' AND due_at < now() - make_interval(secs => %(stale_queued)s + %(grace)s))
        """,
    ),
    (
        "jobs_failed_without_reason",
        "failed jobs with no error recorded",
        "SELECT 'job ' || id FROM corrections_pipelinejob WHERE state = 'failed' AND btrim(last_error) = ''",
    ),
    (
        "ingested_revisions_without_job",
        "revisions a client sent that have no pipeline job (their passes never run)",
        """
        SELECT 'revision ' || r.article_id || ' r' || r.number
        FROM articles_revision r
        WHERE r.ingest_request_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM corrections_pipelinejob j WHERE j.revision_id = r.id)
        """,
    ),
    (
        "done_revisions_missing_pass_runs",
        "(revision, pass) pairs where the job is done but a configured pass has no run",
        """
        SELECT 'revision ' || r.article_id || ' r' || r.number || ' ' || p.name
        FROM corrections_pipelinejob j
        JOIN articles_revision r ON r.id = j.revision_id
        CROSS JOIN unnest(string_to_array(%(passes)s, ',')) AS p(name)
        WHERE j.state = 'done'
          AND NOT EXISTS (SELECT 1 FROM corrections_passrun pr
                          WHERE pr.revision_id = r.id AND pr.pass_name = p.name)
        """,
    ),
    (
        "pass_runs_duplicated",
        "more than one run per (revision, pass, version)",
        """
        SELECT 'revision ' || revision_id || ' ' || pass_name || ' v' || pass_version || ' x' || count(*)
        FROM corrections_passrun GROUP BY revision_id, pass_name, pass_version HAVING count(*) > 1
        """,
    ),
    (
        "suggestions_duplicated",
        "more than one suggestion per natural key (revision, pass, field, start, end, replacement)",
        """
        SELECT 'revision ' || revision_id || ' ' || pass_name || ' ' || field || ' ' || start || '-' || "end"
               || ' x' || count(*)
        FROM corrections_suggestion
        GROUP BY revision_id, pass_name, field, start, "end", replacement HAVING count(*) > 1
        """,
    ),
    (
        "suggestions_off_their_text",
        "suggestions whose span no longer holds their original text (offsets in code points, into the "
        "revision's text or title as the suggestion's field says)",
        """
        SELECT 'suggestion ' || s.id
        FROM corrections_suggestion s JOIN articles_revision r ON r.id = s.revision_id
        CROSS JOIN LATERAL (SELECT CASE WHEN s.field = 'title' THEN r.title ELSE r.text END AS text) f
        WHERE s."end" > char_length(f.text)
           OR substring(f.text FROM s.start + 1 FOR s."end" - s.start) IS DISTINCT FROM s.original
        """,
    ),
    (
        "articles_without_one_ingest_audit_row",
        "articles with no, or more than one, 'article.ingested' audit row",
        """
        SELECT 'article ' || a.id || ' (' || COALESCE(n.rows, 0) || ' rows)'
        FROM articles_article a
        LEFT JOIN (SELECT article_id, count(*) AS rows FROM articles_auditevent
                   WHERE action = 'article.ingested' GROUP BY article_id) n ON n.article_id = a.id
        WHERE COALESCE(n.rows, 0) <> 1
        UNION ALL
        SELECT 'audit rows for missing article ' || e.article_id
        FROM articles_auditevent e
        WHERE e.action = 'article.ingested'
          AND NOT EXISTS (SELECT 1 FROM articles_article a WHERE a.id = e.article_id)
        """,
    ),
]

_TOTALS = {
    "articles": "SELECT count(*) FROM articles_article",
    "articles_in_review": "SELECT count(*) FROM articles_article WHERE status = 'in_review'",
    "articles_published": "SELECT count(*) FROM articles_article WHERE status = 'published'",
    "articles_failed": "SELECT count(*) FROM articles_article WHERE status = 'failed'",
    "articles_received_or_processing": "SELECT count(*) FROM articles_article WHERE status IN ('received', 'processing')",
    "revisions": "SELECT count(*) FROM articles_revision",
    "jobs_queued_or_running": "SELECT count(*) FROM corrections_pipelinejob WHERE state IN ('queued', 'running')",
    "jobs_done": "SELECT count(*) FROM corrections_pipelinejob WHERE state = 'done'",
    "jobs_failed": "SELECT count(*) FROM corrections_pipelinejob WHERE state = 'failed'",
    "pass_runs": "SELECT count(*) FROM corrections_passrun",
    "suggestions": "SELECT count(*) FROM corrections_suggestion",
}


def check_names() -> list[str]:
    return [name for name, _, _ in _CHECKS]


def reconcile(grace: timedelta = timedelta(seconds=60), examples: int = EXAMPLES) -> Reconciliation:
    """Count what breaks each invariant, in one read-only, repeatable-read snapshot."""
    params: dict[str, float | str] = {"grace": grace.total_seconds(),
                                      "stale_queued": settings.NEWSROOM_JOB_STALE_QUEUED.total_seconds(),
                                      "passes": ",".join(sorted({module.NAME for module in pass_modules()}))}
    checks = []
    totals: dict[str, int] = {}
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if not outer:  # one snapshot for every count (inside a caller's transaction, theirs)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for name, description, sql in _CHECKS:
            cursor.execute(f"SELECT count(*) OVER (), label FROM ({sql}) AS broken(label) ORDER BY label "
                           f"LIMIT {max(examples, 1)}", params)
            rows = cursor.fetchall()
            count = int(rows[0][0]) if rows else 0
            checks.append(Check(name, description, count, [str(label) for _, label in rows[:examples]]))
        for name, sql in _TOTALS.items():
            cursor.execute(sql)
            totals[name] = int(cursor.fetchone()[0])
    return Reconciliation(checks, totals)


def count_unfinished() -> int:
    """Jobs queued or running and stories waiting for their refresh: what ``--wait`` waits for."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM corrections_pipelinejob WHERE state IN ('queued', 'running'))"
                       " + (SELECT count(*) FROM corrections_storyrefresh)")
        return int(cursor.fetchone()[0])
