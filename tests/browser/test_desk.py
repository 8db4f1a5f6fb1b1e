"""An editor at the desk in a real browser: seed 000 through the pipeline, decided by keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from articles.models import Article, Publication, Revision, Story
from corrections import pipeline
from corrections.gazetteer import load_starter_gazetteer, load_starter_style_rules
from corrections.models import Alias, Entity, PipelineJob, Suggestion
from tests.articles.helpers import ingest
from tests.browser.conftest import log_in, screenshot
from tests.corrections.desk import hostile_body, hostile_spans, ingest_client, suggest
from tests.factories import UserFactory
from tests.support import flush_test_broker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def process(article: Article) -> None:
    """What the worker does with the article's job, run here directly."""
    for job in PipelineJob.objects.filter(article=article, state=PipelineJob.State.QUEUED):
        pipeline.run_job(job.pk)
    flush_test_broker()  # the on-commit publish went to the test broker; nobody consumes it


def seed_articles() -> Article:
    """All seed articles, ingested and processed in order (seed 000 first, so oldest); returns 000."""
    load_starter_gazetteer()
    load_starter_style_rules()
    client = ingest_client()
    articles = []
    for path in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt")):
        body = path.read_text(encoding="utf-8")
        articles.append(ingest(client, source=f"seed-outlet-{path.stem[:3]}", external_id=path.stem,
                               title=body.split("\n", 1)[0][:120], body=body).article)
        process(articles[-1])
    articles[0].refresh_from_db()
    return articles[0]


def current(article: Article) -> Revision:
    article.refresh_from_db()
    return Revision.objects.get(article=article, number=article.revision_number)


def wait_for_revision(page: object, number: int) -> None:
    page.wait_for_selector(f"#review[data-revision='{number}']")  # type: ignore[attr-defined]


def test_editor_reviews_seed_000_with_the_keyboard(page: object) -> None:
    editor = UserFactory(username="edna", roles=["editor"])
    article = seed_articles()
    rows = Suggestion.objects.filter(revision=current(article), status="pending")
    pending = rows.count()
    assert article.status == "in_review" and pending >= 6, f"seed 000 produced {pending} suggestions"
    # Identical suggestions (same pass, kind, original and replacement) are one card.
    cards = len({(s.pass_name, s.kind, s.original, s.replacement) for s in rows})
    start = article.revision_number

    log_in(page, "edna")
    page.wait_for_selector(f"tr[data-article-id='{article.pk}']")  # type: ignore[attr-defined]
    screenshot(page, "queue.png")
    assert page.locator("tr[data-row]").count() == 5  # type: ignore[attr-defined]
    # Newest first: seed 000, the first one in, is the last row until the queue is switched.
    assert page.locator("tr[data-row]").last.get_attribute("data-article-id") == str(article.pk)  # type: ignore[attr-defined]
    page.select_option("select[name=sort]", "oldest")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Filter").click()  # type: ignore[attr-defined]
    page.wait_for_url("**sort=oldest**")  # type: ignore[attr-defined]
    assert page.locator("tr[data-row]").first.get_attribute("data-article-id") == str(article.pk)  # type: ignore[attr-defined]
    page.keyboard.press("j")  # type: ignore[attr-defined]  # the oldest, seed 000, is the first row
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    wait_for_revision(page, start)
    assert page.locator("[data-suggestion-id]").count() == cards  # type: ignore[attr-defined]
    assert page.locator("[data-suggestion-id] button", has_text="Accept").count() >= pending  # type: ignore[attr-defined]
    screenshot(page, "review.png")

    # Accept three with the keyboard: "a" decides the selected card, the list re-renders in place.
    accepted = []
    for step in range(3):
        selected = page.locator("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
        accepted.append(int(selected.get_attribute("data-suggestion-id")))
        page.keyboard.press("a")  # type: ignore[attr-defined]
        wait_for_revision(page, start + step + 1)
    after_accepts = current(article)
    assert after_accepts.number == start + 3
    for pk in accepted:
        s = Suggestion.objects.get(pk=pk)
        assert (s.status, s.decided_by_id) == ("accepted", editor.pk)
        assert s.replacement in (after_accepts.title if s.field == "title" else after_accepts.text)

    # Move down with j, reject one with x: no new revision.
    page.keyboard.press("j")  # type: ignore[attr-defined]
    rejected = int(page.locator("[data-suggestion-id].is-current").get_attribute("data-suggestion-id"))  # type: ignore[attr-defined]
    page.keyboard.press("x")  # type: ignore[attr-defined]
    page.wait_for_selector(f"[data-suggestion-id='{rejected}']", state="detached")  # type: ignore[attr-defined]
    assert Suggestion.objects.get(pk=rejected).status == "rejected"
    assert current(article).number == start + 3

    # Edit one: e opens its replacement, Ctrl+Enter accepts the edit.
    for _ in range(cards):  # a single card of the body (groups come first, the headline's next)
        card = page.locator("[data-suggestion-id].is-current")  # type: ignore[attr-defined]
        shown = Suggestion.objects.get(pk=int(card.get_attribute("data-suggestion-id")))
        if card.get_attribute("data-group") is None and shown.field == "body":
            break
        page.keyboard.press("j")  # type: ignore[attr-defined]
    edited = int(page.locator("[data-suggestion-id].is-current").get_attribute("data-suggestion-id"))  # type: ignore[attr-defined]
    page.keyboard.press("e")  # type: ignore[attr-defined]
    page.keyboard.press("Control+a")  # type: ignore[attr-defined]
    page.keyboard.type("EDITED-BY-EDNA")  # type: ignore[attr-defined]
    page.keyboard.press("Control+Enter")  # type: ignore[attr-defined]
    wait_for_revision(page, start + 4)
    assert "EDITED-BY-EDNA" in current(article).text
    assert "EDITED-BY-EDNA" in page.inner_text("#article-text")  # type: ignore[attr-defined]

    # Undo the edit with u: the text is back to what the three acceptances made.
    page.locator("#article-text").click()  # type: ignore[attr-defined]
    page.keyboard.press("u")  # type: ignore[attr-defined]
    wait_for_revision(page, start + 5)
    final = current(article)
    assert final.text == after_accepts.text
    assert "EDITED-BY-EDNA" not in page.inner_text("#article-text")  # type: ignore[attr-defined]
    assert Suggestion.objects.filter(carried_from_id=edited, revision=final, status="pending").exists()

    # The help opens with ?.
    page.keyboard.press("?")  # type: ignore[attr-defined]
    assert page.locator("dialog#help").is_visible()  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]

    # History: every revision with who, when and why.
    page.click("text=History")  # type: ignore[attr-defined]
    page.wait_for_selector("ol.history")  # type: ignore[attr-defined]
    assert page.locator("li.revision").count() == final.number  # type: ignore[attr-defined]
    history = page.inner_text("ol.history")  # type: ignore[attr-defined]
    assert history.count("user:edna") == 5
    assert re.search(r"undid acceptance of #\d+", history) and "with an edit" in history
    screenshot(page, "history.png")
    page.problems.assert_none()  # type: ignore[attr-defined]

    publisher_publishes_and_corrects(page, article)


def publisher_publishes_and_corrects(page: object, article: Article) -> None:
    """The desk chief publishes what the editor left (confirming the pending suggestions), then
    decides one more and publishes that as a correction with a public note."""
    UserFactory(username="chief", roles=["publisher"])
    page.click("header.site button:has-text('Log out')")  # type: ignore[attr-defined]
    page.wait_for_url("**/accounts/login/")  # type: ignore[attr-defined]
    log_in(page, "chief")
    page.goto(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    first = current(article)
    pending = Suggestion.objects.filter(revision=first, status="pending").count()
    assert pending > 0

    # Publish: pending suggestions ask for a confirmation first, a page that needs no JavaScript.
    page.get_by_role("button", name="Publish", exact=True).click()  # type: ignore[attr-defined]
    page.wait_for_selector("#confirm-publish")  # type: ignore[attr-defined]
    assert f"{pending} suggestion" in page.inner_text("#confirm-publish")  # type: ignore[attr-defined]
    assert not Publication.objects.filter(article=article).exists()
    page.get_by_role("button", name="Publish anyway").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#published[data-publication='1']")  # type: ignore[attr-defined]
    assert page.inner_text("#published-text") == first.text  # type: ignore[attr-defined]
    assert "chief" in page.inner_text("#published .meta")  # type: ignore[attr-defined]

    # Correct: decide one more suggestion, then publish it with a public note (required).
    page.goto(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    wait_for_revision(page, first.number)
    page.keyboard.press("a")  # type: ignore[attr-defined]
    wait_for_revision(page, first.number + 1)
    page.click("text=Publish a correction…")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Publish correction").click()  # type: ignore[attr-defined]
    page.wait_for_selector(".note-field.has-error")  # type: ignore[attr-defined]
    assert Publication.objects.filter(article=article).count() == 1
    note = "An earlier version misspelled a name in the second paragraph."
    page.fill("textarea[name=correction_note]", note)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Publish correction").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#confirm-publish")  # type: ignore[attr-defined]
    assert page.input_value("#confirm-publish textarea[name=correction_note]") == note  # type: ignore[attr-defined]
    page.get_by_role("button", name="Publish anyway").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#published[data-publication='2']")  # type: ignore[attr-defined]
    corrected = current(article)
    assert page.inner_text("#published-text") == corrected.text  # type: ignore[attr-defined]
    assert note in page.inner_text("ul.corrections")  # type: ignore[attr-defined]
    assert page.locator("ul.publications li").count() == 2  # type: ignore[attr-defined]
    screenshot(page, "published.png")

    # The earlier publication is still there, unchanged, and says what corrects it.
    page.click("ul.publications a:has-text('Publication 1')")  # type: ignore[attr-defined]
    page.wait_for_selector("#published[data-publication='1']")  # type: ignore[attr-defined]
    assert page.inner_text("#published-text") == first.text  # type: ignore[attr-defined]
    assert "Publication 2 corrects it" in page.inner_text(".superseded")  # type: ignore[attr-defined]
    second = Publication.objects.get(article=article, number=2)
    assert (second.corrects.number, second.correction_note, second.published_by.username) == (1, note, "chief")
    # Chromium logs a page answered with 4xx as a console error: exactly the confirmation steps
    # (409) and the missing note (400), nothing else.
    statuses = [re.search(r"status of (\d+)", m) for m in page.problems.console_errors]  # type: ignore[attr-defined]
    assert [m.group(1) if m else None for m in statuses] == ["409", "400", "409"]
    page.problems.console_errors.clear()  # type: ignore[attr-defined]
    page.problems.assert_none()  # type: ignore[attr-defined]


def test_hostile_text_runs_nothing_in_the_browser(page: object) -> None:
    UserFactory(username="edna", roles=["editor"])
    body = hostile_body()
    article = ingest(ingest_client(), source="hostile", external_id="x-1", title="<img src=x onerror=alert('t')>",
                     body=body).article
    process(article)
    revision = current(article)
    text = revision.text
    rows = [
        Suggestion(revision=revision, pass_name=f"hostile{i % 3}", kind=("spelling", "style", "invisible")[i % 3],
                   start=start, end=end, original=text[start:end],
                   replacement=f"</mark><script>alert({i})</script>{{{{ x }}}}", confidence=0.5,
                   explanation="<b>not bold</b> <img src=x onerror=alert(9)>",
                   evidence=["<script>alert('e')</script>"])
        for i, (start, end) in enumerate(hostile_spans(text))
    ]
    Suggestion.objects.bulk_create(rows, ignore_conflicts=True)

    log_in(page, "edna")
    page.goto(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    page.wait_for_selector("#review")  # type: ignore[attr-defined]
    assert page.locator("#article-text script, #article-text img, #article-text svg, #article-text b, "  # type: ignore[attr-defined]
                        "#article-text iframe, .side script, .side img").count() == 0
    assert page.locator("script").count() == 2  # type: ignore[attr-defined]
    assert page.locator("#article-text .hidden-char", has_text="RLO").count() >= 1  # type: ignore[attr-defined]
    assert "ript>alert('s1')</script>" in page.inner_text("#article-text")  # type: ignore[attr-defined]
    screenshot(page, "hostile.png")
    # Deciding in place still works and still runs nothing.
    page.keyboard.press("a")  # type: ignore[attr-defined]
    wait_for_revision(page, revision.number + 1)
    page.goto(f"/articles/{article.pk}/history/")  # type: ignore[attr-defined]
    page.wait_for_selector("ol.history")  # type: ignore[attr-defined]
    page.problems.assert_none()  # type: ignore[attr-defined]


def test_decisions_work_without_javascript(chromium: object, live_server: object) -> None:
    UserFactory(username="edna", roles=["editor"])
    article = ingest(ingest_client(), source="plain", external_id="p-1", title="Plain",
                     body="Teh mayor spoke.").article
    process(article)
    revision = current(article)
    s = Suggestion.objects.create(revision=revision, pass_name="t", kind="spelling", start=0, end=3, original="Teh",
                                  replacement="The", confidence=0.9, explanation="Typo.")
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)  # type: ignore[attr-defined]
    page = context.new_page()
    log_in(page, "edna")
    page.goto(f"/articles/{article.pk}/")
    page.locator(f"[data-suggestion-id='{s.pk}']").get_by_role("button", name="Accept").click()
    page.wait_for_selector(f"#review[data-revision='{revision.number + 1}']")
    assert page.inner_text("#article-text").startswith("The mayor spoke.")
    context.close()


def test_story_panel_and_gazetteer_pages(page: object) -> None:
    editor = UserFactory(username="edna", roles=["editor"])
    story = Story.objects.create(title="Talks in Geneva")
    copies = {
        "daily": "Volodimir Zelanski met Sergei Lavarov in Geneva on Monday. Zelanski said talks would go on.",
        "wire": "Volodymyr Zelensky met Sergei Lavrov in Geneva on Monday. Zelensky said the talks would go on.",
        "weekly": "Ukraine's Volodymyr Zelenskyy and Russia's Sergei Lavrov met in Geneva. Zelenskyy spoke first.",
    }
    articles = {source: ingest(ingest_client(), source=source, external_id=f"{source}-1", title=f"Geneva ({source})",
                               body=body).article for source, body in copies.items()}
    Article.objects.filter(pk__in=[a.pk for a in articles.values()]).update(story=story, status="in_review")
    daily = articles["daily"]
    for original, replacement in [("Zelanski", "Zelensky"), ("Lavarov", "Lavrov"), ("Volodimir", "Volodymyr")]:
        suggest(daily, original, replacement, kind="entity", confidence=0.85,
                explanation=f"'{original}' is how no other outlet spells '{replacement}'.",
                evidence=[f"2 of 2 other copies write '{replacement}'"])
    entity = Entity.objects.create(name="Volodymyr Zelensky", type="person", description="President of Ukraine")
    Alias.objects.create(entity=entity, surface="Zelenskyy", kind="variant")

    log_in(page, "edna")
    page.goto(f"/articles/{daily.pk}/")  # type: ignore[attr-defined]
    panel = page.locator("section.story")  # type: ignore[attr-defined]
    assert panel.locator(".copy").count() == 2
    assert panel.locator("mark.name", has_text="Zelenskyy").count() >= 1
    screenshot(page, "story.png")
    # Accepting the name teaches the gazetteer; the page shows who and when.
    page.locator("[data-suggestion-id]", has_text="Zelanski").first.get_by_role("button", name="Accept").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#review[data-revision='2']")  # type: ignore[attr-defined]
    page.goto("/gazetteer/?q=zelensky")  # type: ignore[attr-defined]
    learned = page.inner_text("aside")  # type: ignore[attr-defined]
    assert "Zelanski" in learned and "edna" in learned
    assert Alias.objects.get(surface="Zelanski").created_by == editor
    screenshot(page, "gazetteer.png")
    page.problems.assert_none()  # type: ignore[attr-defined]
