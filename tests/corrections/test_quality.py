"""Pass quality: which pass, rule and source editors keep rejecting; rule keys from the passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from corrections import pipeline, quality, review
from corrections.models import Alias, Entity, PipelineJob, StyleRule, Suggestion
from corrections.passes import boilerplate, house_style
from corrections.passes.base import BoilerplateProfile, PassContext, pattern_key
from corrections.passes.base import StyleRule as StyleRuleData
from tests.articles.helpers import ingest
from tests.corrections.desk import article_with_text, ingest_client, suggest
from tests.factories import UserFactory

TEXT = "Teh mayor of Kiev spoke."


# --- rule keys from the passes (pure) -------------------------------------------------------------


def test_house_style_names_its_rule() -> None:
    context = PassContext(style_rules=(StyleRuleData(id=12, pattern="Kiev", replacement="Kyiv"),))
    assert [s.rule for s in house_style.run("Talks in Kiev.", context)] == ["style:12"]


def test_boilerplate_names_the_pattern_or_the_learned_evidence() -> None:
    patterns = ("advertisement", r"post a comment(?: \(\d+\))?")
    context = PassContext(boilerplate=BoilerplateProfile(patterns=patterns))
    found = boilerplate.run("The story.\n\nPost a Comment (0)", context)
    assert [s.rule for s in found] == [f"pattern:{pattern_key(patterns[1])}"]


# --- rule keys stored by the pipeline ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_pipeline_stores_each_suggestions_rule() -> None:
    rule = StyleRule.objects.create(pattern="Kiev", replacement="Kyiv")
    entity = Entity.objects.create(name="Volodymyr Zelensky", type="person")
    Alias.objects.create(entity=entity, surface="Zelenskiy", kind="misspelling")
    body = "President Zelenskiy spoke in Kiev on Monday.\n\nPost a Comment"
    job = PipelineJob.objects.get(revision=ingest(ingest_client(), body=body).revision)

    pipeline.run_job(job.pk)

    rules = dict(Suggestion.objects.filter(revision=job.revision).values_list("original", "rule"))
    assert rules["Kiev"] == f"style:{rule.pk}"
    assert rules["Zelenskiy"] == f"entity:{entity.pk}"
    chrome = next(key for original, key in rules.items() if "Post a Comment" in original)
    assert chrome.startswith("pattern:") and chrome.removeprefix("pattern:") in {
        pattern_key(p) for p in pipeline._starter_patterns()}


@pytest.mark.django_db
def test_a_carried_over_suggestion_keeps_its_rule() -> None:
    editor = UserFactory(username="carrier", roles=["editor"])
    article = article_with_text(TEXT)
    first = suggest(article, "Teh", "The")
    later = suggest(article, "Kiev", "Kyiv", kind="style", rule="style:4")
    review.accept_suggestion(suggestion_id=first.pk, seen_revision=1, actor=editor)
    assert Suggestion.objects.get(carried_from=later).rule == "style:4"


# --- the ordering -------------------------------------------------------------------------------


def decide(editor: User, rule: str, decisions: str, kind: str = "style", pass_name: str = "house_style",
           source: str = "wire", days_ago: int = 0) -> None:
    """One article per decision: a for accepted, e for edited, r for rejected."""
    for d in decisions:
        article = article_with_text(TEXT, source=source)
        s = suggest(article, "Kiev", "Kyiv", kind=kind, pass_name=pass_name, rule=rule)
        if d == "r":
            review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)
        elif d == "e":
            review.edit_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor, replacement="Kyiv (Kiev)")
        else:
            review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)
        if days_ago:
            Suggestion.objects.filter(pk=s.pk).update(decided_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def editor(db: None) -> User:
    return UserFactory(username="quality-editor", roles=["editor"])


@pytest.mark.django_db
def test_a_rule_editors_keep_rejecting_is_listed_first(editor: User) -> None:
    noisy = StyleRule.objects.create(pattern="Kiev", replacement="Kyiv")
    entity = Entity.objects.create(name="Kyiv", type="place")
    decide(editor, "style:999", "aaaaaaaaaa")  # good: always accepted
    decide(editor, f"entity:{entity.pk}", "r", kind="entity", pass_name="entities")  # one rejection: little evidence
    decide(editor, f"style:{noisy.pk}", "rrrrrrraae")  # noisy: 7 of 10 rejected
    decide(editor, "", "raa", kind="spelling", pass_name="spelling")

    rows = quality.pass_quality("rule")

    assert [r.key for r in rows] == [f"style:{noisy.pk}", f"entity:{entity.pk}", "", "style:999"]
    top = rows[0]
    assert (top.month.accepted, top.month.edited, top.month.rejected) == (2, 1, 7)
    assert top.label == "style rule Kiev → Kyiv" and top.url == f"/style/{noisy.pk}/"
    assert rows[1].label == "gazetteer entity Kyiv" and rows[1].url == f"/gazetteer/{entity.pk}/"
    assert rows[2].label == "spelling: no single rule" and rows[2].url == ""
    assert rows[3].label == "style rule #999 (deleted)" and rows[3].url == ""


@pytest.mark.django_db
def test_the_week_and_the_month_are_counted_apart_and_older_decisions_not_at_all(editor: User) -> None:
    decide(editor, "style:1", "rr")
    decide(editor, "style:1", "ra", days_ago=10)
    decide(editor, "style:1", "rrrr", days_ago=40)

    (row,) = quality.pass_quality("rule")

    assert (row.week.rejected, row.week.accepted, row.month.rejected, row.month.accepted) == (2, 0, 3, 1)


@pytest.mark.django_db
def test_auto_applied_stale_and_pending_suggestions_are_no_verdict(editor: User) -> None:
    article = article_with_text(TEXT)
    suggest(article, "Kiev", "Kyiv", rule="style:1")
    applied = suggest(article, "Teh", "The", rule="style:1")
    Suggestion.objects.filter(pk=applied.pk).update(status="applied", decided_at=timezone.now())
    assert quality.pass_quality("rule") == []


@pytest.mark.django_db
def test_quality_by_source_and_by_pass(editor: User) -> None:
    decide(editor, "style:1", "rrr", source="noisy-outlet")
    decide(editor, "style:1", "aaa", source="clean-outlet")
    decide(editor, "", "a", kind="spelling", pass_name="spelling", source="clean-outlet")

    by_source = quality.pass_quality("source")
    by_pass = quality.pass_quality("pass")

    assert [(r.pass_name, r.key, r.month.rejected) for r in by_source] == [
        ("house_style", "noisy-outlet", 3), ("house_style", "clean-outlet", 0), ("spelling", "clean-outlet", 0)]
    assert {(r.pass_name, r.month.decided) for r in by_pass} == {("house_style", 6), ("spelling", 1)}


def test_the_noise_score_needs_volume() -> None:
    assert quality.wilson_lower_bound(1, 1) < quality.wilson_lower_bound(7, 10) < quality.wilson_lower_bound(70, 100)
    assert quality.wilson_lower_bound(0, 0) == 0.0


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def admin(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(username="quality-admin", roles=["admin"], is_staff=True))
    return client


@pytest.mark.django_db
def test_the_ops_page_lists_pass_quality_with_links_to_the_rules(admin: Client, editor: User) -> None:
    rule = StyleRule.objects.create(pattern="Kiev", replacement="Kyiv")
    decide(editor, f"style:{rule.pk}", "rrae")

    html = admin.get("/ops/").content.decode()

    assert f'data-pass="house_style" data-key="style:{rule.pk}"' in html
    assert f'<a href="/style/{rule.pk}/"><bdi>style rule Kiev → Kyiv</bdi></a>' in html
    row = html.split(f'data-key="style:{rule.pk}"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["1", "1", "2", "50 %", "1", "1", "2", "50 %"]


@pytest.mark.django_db
def test_the_ops_page_groups_pass_quality_by_source(admin: Client, editor: User) -> None:
    decide(editor, "style:1", "r", source="noisy-outlet")
    html = admin.get("/ops/", {"quality": "source"}).content.decode()
    assert 'data-pass="house_style" data-key="noisy-outlet"' in html


@pytest.mark.django_db
def test_an_unknown_grouping_answers_400_with_the_page(admin: Client) -> None:
    response = admin.get("/ops/", {"quality": "<script>"})
    assert response.status_code == 400
    assert "grouped by rule, pass or source" in response.content.decode()
    assert "<script>" not in response.content.decode()


