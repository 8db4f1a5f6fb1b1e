"""Decisions beyond one suggestion of the body, in a real browser: the headline's suggestions, and
one change decided across articles (preview, apply, undo)."""

from __future__ import annotations

import pytest

from articles.models import Article, Publication, Revision
from corrections import review
from corrections.models import BulkDecision, Entity, Suggestion
from tests.articles.helpers import ingest
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_desk import process, wait_for_revision
from tests.corrections.desk import ingest_client, suggest
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Volodimir Zelanski and the Kremlin: a adjacent summit"
BODY = "Talks went on in Geneva on Monday.\n\nVolodymyr Zelensky spoke first; the Kremlin answered."


def current(article: Article) -> Revision:
    article.refresh_from_db()
    return Revision.objects.get(article=article, number=article.revision_number)


def test_a_headline_slip_is_decided_in_the_headline_by_keyboard(page: object) -> None:
    UserFactory(username="edna", roles=["editor"])
    Entity.objects.create(name="Volodymyr Zelensky", type="person", description="President of Ukraine")
    article = ingest(ingest_client(), source="daily", external_id="t-1", title=TITLE, body=BODY).article
    process(article)
    title_suggestions = Suggestion.objects.filter(revision=current(article), field="title", status="pending")
    assert {(s.original, s.replacement) for s in title_suggestions} >= {("a adjacent", "an adjacent"),
                                                                      ("Zelanski", "Zelensky")}

    log_in(page, "edna")
    page.goto(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    wait_for_revision(page, 1)
    headline = page.locator("h1#article-title")  # type: ignore[attr-defined]
    assert headline.locator(".mark").count() == title_suggestions.count()
    # The headline's suggestions come first: the selected card is the first mark of the headline.
    first = page.locator("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
    assert "in the headline" in first.inner_text()
    assert headline.locator(".mark.is-current").count() == 1

    # Accept them one by one with "a": each makes a revision whose title is fixed in place.
    for step in range(title_suggestions.count()):
        page.keyboard.press("a")  # type: ignore[attr-defined]
        wait_for_revision(page, step + 2)
    fixed = current(article)
    assert fixed.title == "Volodymyr Zelensky and the Kremlin: an adjacent summit" and fixed.text == BODY
    assert page.inner_text("h1#article-title") == fixed.title  # type: ignore[attr-defined]

    # "u" undoes the last one, in the headline too.
    page.keyboard.press("u")  # type: ignore[attr-defined]
    wait_for_revision(page, fixed.number + 1)
    undone = current(article)
    assert undone.title != fixed.title and undone.text == BODY
    assert page.locator("h1#article-title .mark").count() == 1  # type: ignore[attr-defined]
    # Accept it again: the headline is whole once more.
    page.keyboard.press("a")  # type: ignore[attr-defined]
    wait_for_revision(page, undone.number + 1)
    assert current(article).title == fixed.title
    page.problems.assert_none()  # type: ignore[attr-defined]

    # The publisher publishes it: the published headline is the corrected one, in the page and the API.
    UserFactory(username="chief", roles=["publisher"])
    page.click("header.site button:has-text('Log out')")  # type: ignore[attr-defined]
    page.wait_for_url("**/accounts/login/")  # type: ignore[attr-defined]
    log_in(page, "chief")
    page.goto(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    wait_for_revision(page, undone.number + 1)
    pending = Suggestion.objects.filter(revision=current(article), status="pending").exists()
    page.get_by_role("button", name="Publish", exact=True).click()  # type: ignore[attr-defined]
    if pending:  # pending suggestions of the body ask for a confirmation first
        page.get_by_role("button", name="Publish anyway").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#published[data-publication='1']")  # type: ignore[attr-defined]
    assert page.inner_text("#published h1") == fixed.title  # type: ignore[attr-defined]
    publication = Publication.objects.get(article=article)
    assert (publication.revision.title, publication.revision.number) == (fixed.title, undone.number + 1)
    page.problems.console_errors.clear()  # type: ignore[attr-defined]  # the 409 of the confirmation step
    page.problems.assert_none()  # type: ignore[attr-defined]


def test_one_change_is_decided_across_articles_previewed_applied_and_undone(page: object) -> None:
    editor = UserFactory(username="edna", roles=["editor"])
    client = ingest_client()
    articles = []
    for i in range(3):
        body = f"Day {i}. President Zelanski spoke in Geneva.\n\nThe talks went on."
        article = ingest(client, source=f"outlet-{i}", external_id=f"z-{i}", title=f"Talks, day {i}", body=body).article
        suggest(article, "Zelanski", "Zelensky", kind="entity", confidence=0.85)
        articles.append(article)

    log_in(page, "edna")
    page.goto(f"/articles/{articles[0].pk}/")  # type: ignore[attr-defined]
    wait_for_revision(page, 1)
    # Shift+a on the selected card: the preview of the same change in every article.
    page.keyboard.press("A")  # type: ignore[attr-defined]
    page.wait_for_selector("#decision-apply")  # type: ignore[attr-defined]
    listed = page.locator(".decision-article")  # type: ignore[attr-defined]
    assert listed.count() == 3
    first = listed.first.inner_text()
    assert "outlet-0" in first and "Talks, day 0" in first and "President ZelanskiZelensky spoke in Geneva." in first
    assert page.locator(".decision-article .mark del", has_text="Zelanski").count() == 3  # type: ignore[attr-defined]
    screenshot(page, "decision-preview.png")

    # Someone edits the last article meanwhile: it will be skipped, not merged.
    review.edit_text(article_id=articles[2].pk, seen_revision=1, actor=editor,
                     text=current(articles[2]).text + "\n\nA late line.", reason="late line")

    # The apply button has the focus: Enter applies.
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#decision[data-status='applied']")  # type: ignore[attr-defined]
    decision = BulkDecision.objects.get()
    rows = page.locator("table.decision-rows tr[data-article-id]")  # type: ignore[attr-defined]
    statuses = {int(rows.nth(i).get_attribute("data-article-id")): rows.nth(i).get_attribute("data-status")
                for i in range(rows.count())}
    assert statuses == {articles[0].pk: "applied", articles[1].pk: "applied", articles[2].pk: "skipped"}
    assert "Edited since the preview" in page.inner_text(f"tr[data-article-id='{articles[2].pk}']")  # type: ignore[attr-defined]
    for article in articles[:2]:
        assert "President Zelensky spoke" in current(article).text
    assert "Zelanski" in current(articles[2]).text

    page.get_by_role("button", name="Undo this decision").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#decision[data-status='undone']")  # type: ignore[attr-defined]
    for article in articles[:2]:
        revision = current(article)
        assert revision.number == 3 and "President Zelanski spoke" in revision.text
    assert BulkDecision.objects.get(pk=decision.pk).status == "undone"
    screenshot(page, "decision.png")
    page.problems.assert_none()  # type: ignore[attr-defined]
