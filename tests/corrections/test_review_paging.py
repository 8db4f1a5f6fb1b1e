"""The review page of a long article: parts of the text, groups of identical suggestions, notices."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from articles.models import AuditEvent
from corrections import groups, review, review_paging
from corrections.models import Suggestion, Suppression
from tests.corrections.desk import article_with_text, current_revision, current_text, suggest
from tests.corrections.test_views import parse

pytestmark = pytest.mark.django_db
SMALL_PARTS = {"NEWSROOM_REVIEW_SECTION_CHARS": 1000, "NEWSROOM_REVIEW_SECTION_SUGGESTIONS": 10}


def long_text(paragraphs: int = 40) -> str:
    return "\n\n".join(f"Paragraph {i}: officials in Kiev said teh talks went on for a long time, again." for i in
                       range(1, paragraphs + 1))


def suggest_all(article, original: str, replacement: str, kind: str = "style", pass_name: str = "house_style"):  # type: ignore[no-untyped-def]
    revision = current_revision(article)
    rows = [Suggestion(revision=revision, pass_name=pass_name, kind=kind, start=m.start(), end=m.end(),
                       original=original, replacement=replacement, confidence=0.9, explanation="House style.")
            for m in re.finditer(re.escape(original), revision.text)]
    return Suggestion.objects.bulk_create(rows)


# --- sections ---------------------------------------------------------------------------------------


def test_a_short_text_is_one_section() -> None:
    sections = review_paging.split_sections("One.\n\nTwo.", [], 1000, 10)
    assert [(s.start, s.end, s.first_paragraph, s.last_paragraph) for s in sections] == [(0, 10, 1, 2)]


def test_sections_cover_the_text_at_paragraph_starts_within_their_limits() -> None:
    text = long_text(40)
    sections = review_paging.split_sections(text, [], 1000, 10)
    assert sections[0].start == 0 and sections[-1].end == len(text) and len(sections) > 3
    assert all(a.end == b.start for a, b in zip(sections, sections[1:], strict=False))
    assert all(text[s.start - 2 : s.start] == "\n\n" for s in sections[1:])
    assert all(s.end - s.start <= 1000 for s in sections)
    assert [s.first_paragraph for s in sections][0] == 1 and sections[-1].last_paragraph == 40
    assert all(a.last_paragraph + 1 == b.first_paragraph for a, b in zip(sections, sections[1:], strict=False))


def test_sections_hold_at_most_their_suggestions_and_never_cut_a_span() -> None:
    text = long_text(40)
    spans = [Suggestion(pk=i, start=m.start(), end=m.end(), original="Kiev") for i, m in
             enumerate(re.finditer("Kiev", text))]
    across = text.index("Paragraph 5")
    spans.append(Suggestion(pk=999, start=across - 10, end=across + 5, original=text[across - 10 : across + 5]))
    sections = review_paging.split_sections(text, spans, 100_000, 4)
    assert all(s.pending <= 4 for s in sections) and sum(s.pending for s in sections) == len(spans)
    assert across not in [s.start for s in sections]


# --- the page -----------------------------------------------------------------------------------------


@override_settings(**SMALL_PARTS)
def test_a_long_article_shows_one_part_with_its_suggestions_and_links_to_the_others(desk: Client) -> None:
    article = article_with_text(long_text(40))
    teh = [suggest(article, "teh", replacement, occurrence=i) for i, replacement in ((0, "the"), (30, "The"))]

    first = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    assert "Part <strong>1</strong> of" in first and 'rel="next"' in first and "Paragraph 1:" in first
    assert "Paragraph 30:" not in first
    assert f'data-suggestion-id="{teh[0].pk}"' in first and f'data-suggestion-id="{teh[1].pk}"' not in first

    later = desk.get(reverse("desk:review", args=[article.pk]), {"at": teh[1].start}).content.decode()
    assert f'data-suggestion-id="{teh[1].pk}"' in later and f'data-suggestion-id="{teh[0].pk}"' not in later
    assert "Paragraph 31:" in later and 'rel="prev"' in later


@override_settings(**SMALL_PARTS)
def test_a_bad_part_number_is_400_with_the_first_part(desk: Client) -> None:
    article = article_with_text(long_text(40))
    response = desk.get(reverse("desk:review", args=[article.pk]), {"section": "two"})
    assert response.status_code == 400 and b"Part <strong>1</strong>" in response.content
    past = desk.get(reverse("desk:review", args=[article.pk]), {"section": 999})
    assert past.status_code == 200 and b'rel="next"' not in past.content  # the last part


def test_an_ordinary_article_has_no_parts(desk: Client) -> None:
    article = article_with_text("Officials in Kiev said teh talks went on.")
    suggest(article, "teh", "the")
    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    assert "Part <strong>" not in html and 'data-suggestion-id' in html


@override_settings(**SMALL_PARTS)
def test_identical_suggestions_are_one_card_first_with_their_count(desk: Client) -> None:
    article = article_with_text(long_text(40))
    kiev = suggest_all(article, "Kiev", "Kyiv")
    single = suggest(article, "teh", "the")

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    cards = [attrs for tag, attrs in parse(html).tags if "data-suggestion-id" in attrs]
    assert cards[0]["data-suggestion-id"] == str(kiev[0].pk) and cards[0]["data-group"] == "40"
    assert [c["data-suggestion-id"] for c in cards[1:]] == [str(single.pk)]
    assert "40 places" in html and "Accept all 40" in html and "Reject all 40" in html
    assert 'pass is of this change, from 0 to 1">confidence 0.90</span>' in html.split('id="g-', 1)[1]
    here = cards[0]["data-members"].split()
    assert here and set(here) <= {str(s.pk) for s in kiev}
    assert all(f'id="m-{pk}"' in html for pk in here)  # each occurrence of this part is marked in place


def test_accepting_a_group_makes_one_revision_and_decides_and_audits_each(desk: Client, editor: object) -> None:
    article = article_with_text(long_text(12))
    kiev = suggest_all(article, "Kiev", "Kyiv")
    teh = suggest(article, "teh", "the")

    response = desk.post(reverse("desk:decide-group", args=[kiev[3].pk]), {"revision": 1, "action": "accept"})

    assert response.status_code == 302
    revision = current_revision(article)
    assert revision.number == 2 and "Kiev" not in revision.text and revision.text.count("Kyiv") == 12
    assert revision.created_by_user == editor and "accepted 12 places of “Kiev” → “Kyiv”" in revision.reason
    assert Suggestion.objects.filter(pk__in=[s.pk for s in kiev], status="accepted").count() == 12
    assert AuditEvent.objects.filter(action="suggestion.accepted", object_id__in=[str(s.pk) for s in kiev]).count() == 12
    carried = Suggestion.objects.get(revision=revision, status="pending")
    assert carried.original == "teh" and carried.carried_from_id == teh.pk


def test_rejecting_a_group_rejects_each_suppresses_once_and_undo_reopens_all(editor: object) -> None:
    article = article_with_text(long_text(5))
    kiev = suggest_all(article, "Kiev", "Kyiv")

    outcome = groups.reject_group(suggestion_id=kiev[0].pk, seen_revision=1, actor=editor)

    assert len(outcome.suggestions) == 5 and current_revision(article).number == 1
    assert Suggestion.objects.filter(pk__in=[s.pk for s in kiev], status="rejected").count() == 5
    assert Suppression.objects.filter(original="Kiev", replacement="Kyiv").count() == 1
    assert AuditEvent.objects.filter(action="suggestion.rejected").count() == 5

    undone = review.undo_last_decision(article_id=article.pk, seen_revision=1, actor=editor)
    assert len(undone.suggestions) == 5
    assert Suggestion.objects.filter(revision=current_revision(article), status="pending").count() == 5
    assert not Suppression.objects.filter(original="Kiev").exists()


def test_a_group_is_decided_against_the_revision_seen(editor: object) -> None:
    article = article_with_text(long_text(5))
    kiev = suggest_all(article, "Kiev", "Kyiv")
    teh = suggest(article, "teh", "the")
    review.accept_suggestion(suggestion_id=teh.pk, seen_revision=1, actor=editor)
    with pytest.raises(review.StaleRevision):
        groups.accept_group(suggestion_id=kiev[0].pk, seen_revision=1, actor=editor)
    assert "Kiev" in current_text(article)


def test_groups_never_mix_passes_kinds_or_replacements(editor: object) -> None:
    article = article_with_text(long_text(6))
    style = suggest_all(article, "Kiev", "Kyiv")
    entity = suggest_all(article, "Kiev", "Kyiv", kind="entity", pass_name="entities")
    window = review_paging.review_window(current_text(article), [*style, *entity])
    assert sorted((g.representative.kind, g.count) for g in window.groups) == [("entity", 6), ("style", 6)]
    groups.accept_group(suggestion_id=style[0].pk, seen_revision=1, actor=editor)
    assert Suggestion.objects.filter(pk__in=[s.pk for s in entity], status="stale").count() == 6


def test_group_cards_escape_hostile_text(desk: Client) -> None:
    payload = "<img src=x onerror=alert(1)>"
    article = article_with_text(f"One {payload} here.\n\nTwo {payload} there.")
    suggest_all(article, payload, "</li><script>alert(2)</script>", kind="spelling", pass_name="p")
    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    tags = parse(html).tags
    assert not [t for t, _ in tags if t == "img"]
    assert sum(t == "script" for t, _ in tags) == 2
    assert "2 places" in html


def test_notices_come_first_with_a_dismiss_button_and_a_flag_in_the_text(desk: Client) -> None:
    article = article_with_text(long_text(3))
    revision = current_revision(article)
    at = revision.text.index("Paragraph 2")
    notice = Suggestion.objects.create(
        revision=revision, pass_name="spelling", kind="notice", start=at, end=at, original="", replacement="",
        confidence=0.0, explanation="The spelling pass stopped after 500 suggestions: paragraphs 2-3 not checked.")
    suggest(article, "teh", "the")
    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    cards = [attrs for tag, attrs in parse(html).tags if "data-suggestion-id" in attrs]
    assert cards[0] == {**cards[0], "data-suggestion-id": str(notice.pk), "data-kind": "notice"}
    assert "paragraphs 2-3 not checked" in html and ">Dismiss<" in html
    assert f'class="mark kind-notice" data-for="{notice.pk}"' in html
    response = desk.post(reverse("desk:decide", args=[notice.pk]), {"revision": 1, "action": "accept"})
    assert response.status_code == 400 and Suggestion.objects.get(pk=notice.pk).status == "pending"
    desk.post(reverse("desk:decide", args=[notice.pk]), {"revision": 1, "action": "reject"})
    assert Suggestion.objects.get(pk=notice.pk).status == "rejected"


@override_settings(**SMALL_PARTS)
def test_a_decision_on_a_later_part_returns_to_that_part(desk: Client) -> None:
    article = article_with_text(long_text(40))
    late = suggest(article, "teh", "the", occurrence=35)

    response = desk.post(reverse("desk:decide", args=[late.pk]), {"revision": 1, "action": "accept"})
    assert response.status_code == 302 and response["Location"].endswith(f"?at={late.start}")
    page = desk.get(response["Location"]).content.decode()
    assert "Paragraph 36:" in page

    part = review_paging.review_window(current_text(article), [], at=late.start).current.number
    fragment = desk.post(reverse("desk:undo", args=[article.pk]), {"revision": 2},
                         HTTP_HX_REQUEST="true",
                         HTTP_HX_CURRENT_URL=f"http://testserver/articles/{article.pk}/?section={part}").content.decode()
    assert f"Part <strong>{part}</strong>" in fragment


def test_a_group_holds_the_headline_too_and_accepting_it_changes_both(desk: Client) -> None:
    article = article_with_text(long_text(3), title="Talks in Kiev")
    body = suggest_all(article, "Kiev", "Kyiv")
    revision = current_revision(article)
    title = Suggestion.objects.create(revision=revision, field="title", pass_name="house_style", kind="style",
                                      start=9, end=13, original="Kiev", replacement="Kyiv", confidence=0.9,
                                      explanation="House style.")
    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()
    group = next(attrs for tag, attrs in parse(html).tags if "data-group" in attrs)
    assert group["data-group"] == "4" and str(title.pk) in group["data-members"].split()
    assert f'id="m-{title.pk}"' in html  # marked in the headline

    desk.post(reverse("desk:decide-group", args=[body[0].pk]), {"revision": 1, "action": "accept"})
    after = current_revision(article)
    assert after.number == 2 and after.title == "Talks in Kyiv" and "Kiev" not in after.text
