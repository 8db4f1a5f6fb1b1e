"""Decisions beyond one suggestion of the body, in a real browser: the headline's suggestions."""

from __future__ import annotations

import pytest

from articles.models import Article, Revision
from corrections.models import Entity, Suggestion
from tests.articles.helpers import ingest
from tests.browser.conftest import log_in
from tests.browser.test_desk import process, wait_for_revision
from tests.corrections.desk import ingest_client
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
    page.problems.assert_none()  # type: ignore[attr-defined]
