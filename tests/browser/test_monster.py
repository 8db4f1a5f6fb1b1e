"""The monster article in a real browser: 2 MB of prose with thousands of slips, reviewed in parts."""

from __future__ import annotations

import time

import pytest

from articles.models import Article, Revision
from corrections import pipeline
from corrections.gazetteer import load_starter_gazetteer, load_starter_style_rules
from corrections.models import PipelineJob, Suggestion
from tests.articles.helpers import ingest
from tests.browser.conftest import log_in, screenshot
from tests.corrections.desk import ingest_client
from tests.factories import UserFactory
from tests.monster import monster_text
from tests.support import flush_test_broker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def monster() -> Article:
    load_starter_gazetteer()
    load_starter_style_rules()
    pipeline.warm_up()
    outcome = ingest(ingest_client(), source="monster-wire", external_id="monster", title="A monster digest",
                     body=monster_text(2_000_000))
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    flush_test_broker()
    outcome.article.refresh_from_db()
    return outcome.article


def current_card(page: object) -> tuple[str, str]:
    card = page.locator("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
    return card.get_attribute("data-suggestion-id"), card.get_attribute("data-kind")


def test_editor_opens_the_monster_decides_a_group_and_walks_its_parts_by_keyboard(page: object) -> None:
    UserFactory(username="monica", roles=["editor"])
    article = monster()
    assert article.status == "in_review"
    revision = Revision.objects.get(article=article, number=1)
    pending = Suggestion.objects.filter(revision=revision, status="pending")
    biggest = max(
        ((s.pass_name, s.kind, s.original, s.replacement) for s in pending.exclude(kind="notice")),
        key=lambda key: pending.filter(pass_name=key[0], kind=key[1], original=key[2], replacement=key[3]).count(),
    )
    group_size = pending.filter(pass_name=biggest[0], kind=biggest[1], original=biggest[2],
                                replacement=biggest[3]).count()
    assert group_size > 100

    log_in(page, "monica")
    started = time.monotonic()
    page.goto(f"/articles/{article.pk}/", timeout=60_000)  # type: ignore[attr-defined]
    page.wait_for_selector("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
    opened = time.monotonic() - started
    screenshot(page, "review-monster.png")
    assert page.locator("nav.sections").first.is_visible()  # type: ignore[attr-defined]
    assert "Part 1 of" in page.locator("nav.sections .where").first.inner_text()  # type: ignore[attr-defined]
    notices = page.locator("li.card.kind-notice").count()  # type: ignore[attr-defined]
    assert notices == pending.filter(kind="notice").count() >= 1
    assert current_card(page)[1] == "notice"  # what was not checked comes first
    group = page.locator("li.card.group").first  # type: ignore[attr-defined]
    assert f"{group_size} places" in group.inner_text()

    # j to the first group, a accepts all its places as one revision.
    for _ in range(notices):
        page.keyboard.press("j")  # type: ignore[attr-defined]
    assert current_card(page) == (group.get_attribute("data-suggestion-id"), biggest[1])
    page.keyboard.press("a")  # type: ignore[attr-defined]
    page.wait_for_selector("#review[data-revision='2']", timeout=60_000)  # type: ignore[attr-defined]
    second = Revision.objects.get(article=article, number=2)
    assert Suggestion.objects.filter(revision=revision, result_revision=second, status="accepted").count() == group_size
    assert second.created_by_user is not None and second.created_by_user.username == "monica"

    # Past the last card of part 1, j opens part 2; k before its first card comes back to part 1's last.
    page.locator("ol.cards > li[data-suggestion-id]").last.locator(".card-head").click()  # type: ignore[attr-defined]
    page.keyboard.press("j")  # type: ignore[attr-defined]
    page.wait_for_url("**section=2")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
    assert "Part 2 of" in page.locator("nav.sections .where").first.inner_text()  # type: ignore[attr-defined]
    assert current_card(page)[1] == "notice"
    page.keyboard.press("k")  # type: ignore[attr-defined]
    page.wait_for_url("**section=1#last")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
    last = page.locator("#review [data-suggestion-id]").last  # type: ignore[attr-defined]
    assert "is-current" in (last.get_attribute("class") or "")
    page.problems.assert_none()  # type: ignore[attr-defined]
    print(f"monster review page opened with a usable first screen in {opened:.1f} s")  # noqa: T201
