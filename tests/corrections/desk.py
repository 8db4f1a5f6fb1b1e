"""Building articles with suggestions for the desk's tests, as ingestion and a pass would."""

from __future__ import annotations

import uuid

from django.test import override_settings

from articles.models import ApiClient, Article, Revision
from articles.tokens import create_api_token
from corrections.models import PipelineJob, Suggestion
from corrections.tasks import run_pipeline_task
from tests.articles.helpers import ingest


def ingest_client() -> ApiClient:
    client, _ = create_api_token(f"desk-client-{uuid.uuid4().hex[:8]}")
    return client


def article_with_text(text: str, *, source: str = "wire", title: str = "Title",
                      client: ApiClient | None = None) -> Article:
    outcome = ingest(client or ingest_client(), source=source, external_id=uuid.uuid4().hex[:12], title=title,
                     body=text)
    return outcome.article


def current_revision(article: Article) -> Revision:
    article.refresh_from_db()
    return Revision.objects.get(article=article, number=article.revision_number)


def suggest(article: Article, original: str, replacement: str, *, kind: str = "spelling", confidence: float = 0.9,
            occurrence: int = 0, pass_name: str = "test", explanation: str = "A test suggestion.",
            evidence: list[str] | None = None, rule: str = "") -> Suggestion:
    """A pending suggestion on the current revision, at the ``occurrence``-th place ``original`` appears."""
    revision = current_revision(article)
    start = -1
    for _ in range(occurrence + 1):
        start = revision.text.index(original, start + 1)
    return Suggestion.objects.create(
        revision=revision, pass_name=pass_name, kind=kind, start=start, end=start + len(original),
        original=original, replacement=replacement, confidence=confidence, explanation=explanation,
        evidence=evidence or [], rule=rule,
    )


def failed_job(client: ApiClient, body: str = "POISON-RAISE in this text", title: str = "Title") -> PipelineJob:
    """A job that ran out of attempts on the poison pass, as a worker would have left it."""
    with override_settings(NEWSROOM_PASSES=("tests.corrections.poison_pass",), NEWSROOM_JOB_MAX_ATTEMPTS=1):
        outcome = ingest(client, body=body, title=title, external_id=uuid.uuid4().hex[:10])
        job = PipelineJob.objects.get(revision=outcome.revision)
        run_pipeline_task(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    return job


def current_text(article: Article) -> str:
    return current_revision(article).text


# Hostile article text: markup, script contexts, entity bait, template syntax, bidi and invisibles.
HOSTILE_PAYLOADS = [
    "<script>alert('s1')</script>", "<img src=x onerror=alert('i1')>", '"><svg onload=alert("v1")>',
    "<a href=\"javascript:alert('j1')\">link</a>", "</mark></del></ins><b>bold</b>", "&lt;script&gt;alert(2)",
    "{{ request.user.password }}", "{% debug %}", "</script><script>alert(3)</script>", "<iframe src=//x>",
    "<body onload=alert(4)>", "<style>*{display:none}</style>", "\u2028\u2029", "Pay \u202eevil\u202c to",
    "Bob\u200bby", "<details open ontoggle=alert(5)>", "'-alert(6)-'", "\\\";alert(7);//",
    "<math><mi xlink:href=javascript:alert(8)>", "<object data=javascript:alert(9)>", "&amp;amp; &#60;b&#62;",
    "<!--", "-->", "<![CDATA[x]]>", "<textarea></textarea><input autofocus onfocus=alert(10)>",
    "<meta http-equiv=refresh content=0;url=//x>", "<base href=//x/>", "{{7*7}} ${7*7} #{7*7}",
    "<form action=//x><button>go</button></form>", "\u202bright\u202c \u2066iso\u2069 \ufeffbom \u00adshy",
    "<bdi dir=rtl>x</bdi><bdo dir=rtl>y</bdo>", "<link rel=stylesheet href=//x>",
]


def hostile_body() -> str:
    return "Hostile copy.\n" + "\n".join(f"Line {i}: {p} end." for i, p in enumerate(HOSTILE_PAYLOADS))


def hostile_spans(text: str) -> list[tuple[int, int]]:
    """Spans that start inside, end inside and fall inside each payload."""
    spans = []
    for payload in HOSTILE_PAYLOADS:
        at = text.index(payload)
        n = len(payload)
        spans += [(at - 2, at + min(3, n)), (at + n - min(3, n), at + n + 2), (at + 1, at + max(1, n - 1))]
    return spans
