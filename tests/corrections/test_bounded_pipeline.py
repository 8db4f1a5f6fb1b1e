"""Bounded work per article through the pipeline: limits, notices, pass runs, decisions on notices."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from articles.models import Article
from articles.tokens import create_api_token
from corrections import pipeline, review
from corrections.models import PassRun, PipelineJob, Suggestion
from tests.articles.helpers import ingest
from tests.corrections.marker_pass import run as marker_run
from tests.factories import UserFactory
from tests.monster import monster_text

pytestmark = pytest.mark.django_db
MARKER = ("tests.corrections.marker_pass",)


@pytest.fixture
def client_row():  # type: ignore[no-untyped-def]
    return create_api_token("bounded-tests")[0]


def process(client_row, body: str, external_id: str = "m-1") -> Article:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row, body=body, external_id=external_id)
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    return Article.objects.get(pk=outcome.article.pk)


def slips(n: int) -> str:
    return "\n\n".join(f"Paragraph {i} has a SLIP in it." for i in range(1, n + 1))


@override_settings(NEWSROOM_PASSES=MARKER, NEWSROOM_MAX_SUGGESTIONS_PER_PASS=10)
def test_a_pass_over_its_limit_stores_the_first_and_one_notice_and_records_why(client_row) -> None:  # type: ignore[no-untyped-def]
    article = process(client_row, slips(30))
    assert article.status == "in_review"
    stored = list(Suggestion.objects.filter(revision__article=article).order_by("start"))
    found, notices = [s for s in stored if s.kind != "notice"], [s for s in stored if s.kind == "notice"]
    text = article.revisions.get(number=1).text
    assert [s.start for s in found] == [s.start for s in marker_run(text, None)][:10]  # type: ignore[arg-type]
    assert len(notices) == 1 and notices[0].start == notices[0].end and notices[0].pass_name == "marker"
    assert "stopped after 10 suggestions" in notices[0].explanation
    assert "the rest of paragraph 11 and paragraphs 12-30 not checked for marker" in notices[0].explanation
    run = PassRun.objects.get(revision__article=article)
    assert run.stop_reason == "pass_limit" and run.stop_note == notices[0].explanation
    assert run.suggestion_count == 10


@override_settings(NEWSROOM_PASSES=("corrections.passes.house_style", "tests.corrections.marker_pass"),
                   NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE=12)
def test_passes_share_the_article_limit_so_that_each_runs(client_row) -> None:  # type: ignore[no-untyped-def]
    from corrections.gazetteer import load_starter_style_rules

    load_starter_style_rules()
    body = "\n\n".join(f"Officials in Kiev found a SLIP in paragraph {i}." for i in range(1, 21))
    article = process(client_row, body)
    runs = {r.pass_name: r for r in PassRun.objects.filter(revision__article=article)}
    assert runs["house_style"].suggestion_count == 6 and runs["house_style"].stop_reason == "article_limit"
    assert runs["marker"].suggestion_count == 6 and runs["marker"].stop_reason == "article_limit"
    notices = Suggestion.objects.filter(revision__article=article, kind="notice")
    assert notices.count() == 2
    assert all("its share of the 12 suggestions an article may have" in n.explanation for n in notices)
    assert Suggestion.objects.filter(revision__article=article).exclude(kind="notice").count() == 12


@override_settings(NEWSROOM_PASSES=("corrections.passes.house_style", "tests.corrections.marker_pass"),
                   NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE=1)
def test_a_pass_left_nothing_of_the_article_limit_does_not_run_and_says_so(client_row) -> None:  # type: ignore[no-untyped-def]
    from corrections.gazetteer import load_starter_style_rules

    load_starter_style_rules()
    article = process(client_row, "Officials in Kiev found a SLIP.\n\nAnd another SLIP in Kiev.")
    runs = {r.pass_name: r for r in PassRun.objects.filter(revision__article=article)}
    assert runs["house_style"].suggestion_count == 1 and runs["marker"].stop_reason == "article_limit"
    notice = Suggestion.objects.get(revision__article=article, pass_name="marker", kind="notice")
    assert notice.start == 0 and "did not run" in notice.explanation


@override_settings(NEWSROOM_PASSES=MARKER, NEWSROOM_PASS_TIME_BUDGET=1.0, NEWSROOM_PASS_SECTION_CHARS=1000)
def test_a_pass_over_its_time_budget_is_stopped_and_the_run_says_so(client_row) -> None:  # type: ignore[no-untyped-def]
    body = slips(80) + "\n\nThis paragraph makes the pass SPIN.\n\n" + slips(5)
    article = process(client_row, body)
    assert article.status == "in_review"
    run = PassRun.objects.get(revision__article=article)
    assert run.stop_reason == "time" and run.duration_ms < 3000
    notice = Suggestion.objects.get(revision__article=article, kind="notice")
    assert "stopped after 1.0 s, its time budget" in notice.explanation and run.stop_note == notice.explanation
    assert notice.start <= body.index("SPIN")
    assert Suggestion.objects.filter(revision__article=article, kind="spelling").count() >= 1


@override_settings(NEWSROOM_PASSES=MARKER, NEWSROOM_MAX_SUGGESTIONS_PER_PASS=3)
def test_a_notice_cannot_be_accepted_only_dismissed(client_row) -> None:  # type: ignore[no-untyped-def]
    article = process(client_row, slips(6))
    editor = UserFactory(roles=["editor"])
    notice = Suggestion.objects.get(revision__article=article, kind="notice")
    with pytest.raises(review.InvalidDecision, match="changes nothing"):
        review.accept_suggestion(suggestion_id=notice.pk, seen_revision=1, actor=editor)
    outcome = review.accept_all(article_id=article.pk, seen_revision=1, actor=editor, min_confidence=0.0)
    assert {s.kind for s in outcome.suggestions} == {"spelling"}
    notice = Suggestion.objects.get(revision__article=article, kind="notice", status="pending")  # carried over
    review.reject_suggestion(suggestion_id=notice.pk, seen_revision=2, actor=editor)
    assert Suggestion.objects.get(pk=notice.pk).status == "rejected"


@override_settings(NEWSROOM_PASSES=MARKER, NEWSROOM_MAX_SUGGESTIONS_PER_PASS=3, NEWSROOM_AUTO_APPLY_KINDS={"notice", "spelling"})
def test_auto_apply_never_applies_a_notice(client_row) -> None:  # type: ignore[no-untyped-def]
    article = process(client_row, slips(6))
    assert article.revision_number == 2
    notice = Suggestion.objects.get(revision__article=article, kind="notice", revision__number=2)
    assert notice.status == "pending"


def test_the_monster_reaches_review_within_the_pass_budget_and_nothing_is_dropped_silently(client_row) -> None:  # type: ignore[no-untyped-def]
    """2 MB of prose with a few thousand repeated slips, through every pass with the default limits."""
    from corrections.gazetteer import load_starter_gazetteer, load_starter_style_rules

    load_starter_gazetteer()
    load_starter_style_rules()
    pipeline.warm_up()
    article = process(client_row, monster_text(2_000_000), external_id="monster")
    assert article.status == "in_review"
    budget_ms = settings.NEWSROOM_PASS_TIME_BUDGET * 1000
    stored = Suggestion.objects.filter(revision__article=article)
    assert stored.exclude(kind="notice").count() <= settings.NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE
    runs = list(PassRun.objects.filter(revision__article=article))
    assert len(runs) == len(pipeline.pass_modules())
    for run in runs:
        # The timer interrupts at the next Python instruction: a C call under way (a regular
        # expression, rapidfuzz) ends first, and a loaded machine adds its own delay.
        assert run.duration_ms <= budget_ms + 3000, (run.pass_name, run.duration_ms)
        assert run.suggestion_count <= settings.NEWSROOM_MAX_SUGGESTIONS_PER_PASS
        notices = list(stored.filter(pass_name=run.pass_name, kind="notice"))
        if run.stop_reason:  # stopped short: one notice says what and why
            assert len(notices) == 1 and notices[0].explanation == run.stop_note
        else:
            assert notices == []
        assert stored.filter(pass_name=run.pass_name).exclude(kind="notice").count() == run.suggestion_count
    assert any(run.stop_reason for run in runs)  # the monster has more slips than the limits allow
