"""The desk's pages and the decision API, through Django's test client (no browser)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from articles.models import Article, AuditEvent, Revision, Story
from articles.search import index_revision
from articles.tokens import create_api_token
from corrections import desk as desk_view
from corrections import pipeline
from corrections.models import Alias, Entity, PipelineJob, StyleRule, Suggestion, Suppression
from corrections.revisions import create_revision
from tests.corrections.desk import (
    HOSTILE_PAYLOADS,
    article_with_text,
    current_revision,
    current_text,
    hostile_body,
    hostile_spans,
    ingest_client,
    suggest,
)
from tests.factories import UserFactory

TEXT = "Teh president of Ukriane met the mayor in Kiev on Monday."
HOSTILE = (
    'Intro <script>alert(1)</script> and <img src=x onerror=alert(2)> then "><svg onload=alert(3)> '
    "a </mark></del><b>bold</b> {{ request.user }} {% csrf_token %} &amp; &lt;i&gt; javascript:alert(4) end."
)


class Tags(HTMLParser):
    """Every start tag with its attributes, to check that nothing came from article text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def in_review(article: Article) -> Article:
    """What the article's pipeline job leaves: its revision in the desk's search, the article in review."""
    index_revision(Revision.objects.get(article=article, number=article.revision_number).pk)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.IN_REVIEW)
    article.refresh_from_db()
    return article


# --- access ---------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(reverse("desk:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_viewer_may_not_see_the_desk(db: None) -> None:
    client = Client()
    client.force_login(UserFactory(username="vic", roles=["viewer"]))
    assert client.get(reverse("desk:queue")).status_code == 403


def test_login_page_renders_and_logs_in(db: None) -> None:
    UserFactory(username="edna", roles=["editor"])
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "edna", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.get(reverse("desk:queue")).status_code == 200


def test_pages_send_frame_and_csp_headers(desk: Client) -> None:
    response = desk.get(reverse("desk:queue"))
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


# --- queue ---------------------------------------------------------------------------------------------


def test_queue_lists_articles_with_pending_counts_by_kind(desk: Client) -> None:
    article = in_review(article_with_text(TEXT, source="daily", title="Summit talk"))
    suggest(article, "Teh", "The")
    suggest(article, "Ukriane", "Ukraine")
    suggest(article, "Kiev", "Kyiv", kind="style")

    response = desk.get(reverse("desk:queue"))

    row = response.content.decode()
    assert "Summit talk" in row and "daily" in row
    assert "spelling 2" in row and "style 1" in row


def test_queue_filters_by_kind_source_and_search(desk: Client) -> None:
    a = in_review(article_with_text(TEXT, source="daily", title="Summit talk"))
    in_review(article_with_text("Rain fell on the harbour all week.", source="weekly", title="Weather"))
    suggest(a, "Kiev", "Kyiv", kind="style")

    assert "Weather" not in desk.get(reverse("desk:queue"), {"kind": "style", "status": "in_review"}).content.decode()
    assert "Summit" not in desk.get(reverse("desk:queue"), {"source": "weekly", "status": "in_review"}).content.decode()
    found = desk.get(reverse("desk:queue"), {"q": "harbour", "status": "in_review"}).content.decode()
    assert "Weather" in found and "Summit" not in found


def next_page(html: str) -> str:
    return [attrs["href"] for tag, attrs in parse(html).tags if tag == "a" and attrs.get("rel") == "next"][0]


def test_queue_pages_by_keyset_newest_first_by_default(desk: Client) -> None:
    client = ingest_client()
    titles = [f"Story number {i:03d}" for i in range(55)]
    for title in titles:
        in_review(article_with_text(f"Text of {title}.", title=title, client=client))

    first = desk.get(reverse("desk:queue")).content.decode()
    assert "Story number 054" in first and "Story number 004" not in first
    assert first.index("Story number 054") < first.index("Story number 053")
    assert "newest first" in first.split('<p class="hint">', 1)[1].split("</p>", 1)[0]
    second = desk.get(reverse("desk:queue") + next_page(first)).content.decode()
    assert "Story number 004" in second and "Story number 000" in second and "Story number 005" not in second

    # Switched: oldest first, paged the same way.
    oldest = desk.get(reverse("desk:queue"), {"sort": "oldest"}).content.decode()
    assert "Story number 000" in oldest and "Story number 050" not in oldest
    assert '<option value="oldest" selected>' in oldest
    second = desk.get(reverse("desk:queue") + next_page(oldest)).content.decode()
    assert "Story number 050" in second and "Story number 054" in second and "Story number 049" not in second


# --- review page -------------------------------------------------------------------------------------------


def test_review_page_shows_each_suggestion_with_hooks_and_labels(desk: Client) -> None:
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The", explanation="Common typo.", evidence=["seen 40 times"])
    b = suggest(article, "Kiev", "Kyiv", kind="style")

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    cards = {attrs["data-suggestion-id"]: attrs["data-kind"] for tag, attrs in parse(html).tags
             if "data-suggestion-id" in attrs}
    assert cards == {str(a.pk): "spelling", str(b.pk): "style"}
    assert ">Accept<" in html and ">Reject<" in html
    assert "Common typo." in html and "seen 40 times" in html


def test_review_page_labels_confidence_and_what_always_correct_does(desk: Client) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The", confidence=0.95)

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    card = html[html.index(f'id="s-{s.pk}"'):]
    assert re.search(r'<span class="conf" title="How sure the \S+ pass is of this change, from 0 to 1">'
                     r"confidence 0\.95</span>", card)
    button = re.search(r'<button [^>]*value="always"[^>]*>Always correct</button>', card)
    assert button is not None
    described = re.search(r'aria-describedby="([^"]+)"', button.group(0))
    title = re.search(r'title="([^"]+)"', button.group(0))
    assert described is not None and title is not None
    hint = re.search(rf'<span class="hint" id="{described.group(1)}">([^<]+)</span>', card)
    assert hint is not None and "rule for new copies" in hint.group(1) and "stays pending" in hint.group(1)
    assert "house-style rule" in title.group(1) and "stays pending" in title.group(1)


def test_review_page_escapes_hostile_text_however_sliced(desk: Client) -> None:
    article = article_with_text(HOSTILE)
    for original, replacement in [("<script>", "<b>"), ("alert(2)>", "</mark>"), ("</mark></del>", "<i>"),
                                  ("{{ request.user }}", "{% debug %}"), ("&amp;", "&"), ("javascript:", "x")]:
        suggest(article, original, replacement, pass_name=f"p{len(original)}-{len(replacement)}")

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    tags = parse(html).tags
    assert not [t for t, _ in tags if t in ("img", "svg", "b", "i", "mark")]
    assert [attrs.get("src", "") for t, attrs in tags if t == "script"] == [
        "/static/vendor/htmx-2.0.11.min.js", "/static/js/desk.js"]
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]
    assert "{{ request.user }}" in html.replace("&#x27;", "'")  # shown, not evaluated


ALLOWED_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "header", "a", "nav", "form", "input",
                "span", "button", "main", "div", "p", "strong", "h1", "h2", "h3", "section", "aside", "ol", "li",
                "del", "ins", "bdi", "ul", "details", "summary", "label", "textarea", "select", "option", "dialog",
                "table", "tr", "td", "kbd", "blockquote", "mark", "time"}


def test_review_page_escapes_thirty_payloads_around_every_span(desk: Client) -> None:
    article = article_with_text(hostile_body())
    text = current_text(article)
    revision = current_revision(article)
    Suggestion.objects.bulk_create([
        Suggestion(revision=revision, pass_name=f"p{i % 3}", kind=("spelling", "style", "invisible")[i % 3],
                   start=start, end=end, original=text[start:end], replacement="</mark><img src=x onerror=alert(1)>",
                   confidence=0.5, explanation="<b>x</b>", evidence=["<script>alert(2)</script>"])
        for i, (start, end) in enumerate(hostile_spans(text))
    ], ignore_conflicts=True)
    assert len(HOSTILE_PAYLOADS) >= 30

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    tags = parse(html).tags
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    assert sum(t == "script" for t, _ in tags) == 2 and sum(t == "body" for t, _ in tags) == 1
    assert sum(t == "link" for t, _ in tags) == 2 and sum(t == "meta" for t, _ in tags) == 3
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on") or a in ("autofocus", "xlink:href")]
    assert not [v for _, attrs in tags for v in attrs.values() if v and v.strip().lower().startswith("javascript")]
    # One card (with its edit box) per suggestion, identical ones grouped into one card without.
    keys = Counter((s.pass_name, s.kind, s.original, s.replacement) for s in Suggestion.objects.filter(revision=revision))
    assert sum(t == "textarea" for t, _ in tags) == sum(1 for n in keys.values() if n == 1)


def test_review_page_makes_hidden_characters_visible(desk: Client) -> None:
    article = article_with_text("Pay \u202eevil\u202c to Bob\u200bby now.")
    suggest(article, "Bob\u200bby", "Bobby", kind="invisible")

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    assert "\u202e" not in html and "\u200b" not in html
    assert ">RLO<" in html and ">ZWSP<" in html and ">PDF<" in html
    assert "span has 1 hidden character" in html
    assert 'dir="auto"' in html and "<bdi>" in html


def test_titles_show_hidden_characters_as_badges(desk: Client) -> None:
    article = in_review(article_with_text(TEXT, title="Safe \u202eelif.exe\u202c title"))

    for url in (reverse("desk:queue"), reverse("desk:review", args=[article.pk]),
                reverse("desk:history", args=[article.pk]), reverse("desk:edit", args=[article.pk])):
        html = desk.get(url).content.decode()
        assert "\u202e" not in html and ("RLO<" in html or "⟨RLO⟩" in html)


def test_review_page_queries_do_not_grow_with_suggestions(desk: Client, django_assert_max_num_queries: object) -> None:
    article = article_with_text(" ".join(f"word{i}" for i in range(300)))
    revision = current_revision(article)
    Suggestion.objects.bulk_create([
        Suggestion(revision=revision, pass_name="test", kind="spelling", start=revision.text.index(f"word{i} "),
                   end=revision.text.index(f"word{i} ") + len(f"word{i}"), original=f"word{i}",
                   replacement=f"Word{i}", confidence=0.8, explanation="Capitalise.")
        for i in range(0, 200)
    ])
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        assert desk.get(reverse("desk:review", args=[article.pk])).status_code == 200


# --- deciding ----------------------------------------------------------------------------------------


def test_accept_form_makes_new_revision_and_redirects(desk: Client, editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    response = desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "accept"})

    assert response.status_code == 302 and response["Location"] == reverse("desk:review", args=[article.pk])
    revision = current_revision(article)
    assert revision.number == 2 and revision.created_by_user == editor


def test_htmx_decision_returns_review_fragment(desk: Client) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    response = desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "reject"},
                         HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="review"')
    assert "<html" not in html and "rejected" in html


def test_stale_decision_answers_409_and_changes_nothing(desk: Client) -> None:
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Kiev", "Kyiv", kind="style")
    desk.post(reverse("desk:decide", args=[a.pk]), {"revision": 1, "action": "accept"})

    response = desk.post(reverse("desk:decide", args=[b.pk]), {"revision": 1, "action": "accept"})

    assert response.status_code == 409
    assert "revision 2 is current" in response.content.decode()
    assert current_revision(article).number == 2


def test_edit_decision_applies_editors_replacement(desk: Client) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "edit", "replacement": "Kyiv city"})

    assert current_text(article) == TEXT.replace("Kiev", "Kyiv city")


def test_accept_all_and_undo_forms(desk: Client) -> None:
    article = article_with_text(TEXT)
    suggest(article, "Teh", "The")
    suggest(article, "Ukriane", "Ukraine")

    desk.post(reverse("desk:accept-all", args=[article.pk]), {"revision": 1, "kind": "spelling"})
    assert current_text(article) == "The president of Ukraine met the mayor in Kiev on Monday."
    desk.post(reverse("desk:undo", args=[article.pk]), {"revision": 2})

    assert current_text(article) == TEXT


def test_decisions_on_unknown_article_are_404(desk: Client) -> None:
    assert desk.post(reverse("desk:undo", args=[999999]), {"revision": 1}).status_code == 404
    assert desk.post(reverse("desk:decide", args=[999999]), {"revision": 1, "action": "accept"}).status_code == 404


def test_post_without_csrf_token_is_refused_and_changes_nothing(editor: object) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    response = client.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "accept"})

    assert response.status_code == 403
    s.refresh_from_db()
    assert s.status == "pending" and current_revision(article).number == 1


def test_get_on_decision_routes_changes_nothing(desk: Client) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    for url in [reverse("desk:decide", args=[s.pk]), reverse("desk:undo", args=[article.pk]),
                reverse("desk:accept-all", args=[article.pk]), reverse("desk:revert", args=[article.pk])]:
        assert desk.get(url, {"revision": 1, "action": "accept", "kind": "spelling", "number": 1}).status_code == 405
    assert current_revision(article).number == 1


# --- manual edit, history -------------------------------------------------------------------------


def test_manual_edit_saves_new_revision_with_reason(desk: Client) -> None:
    article = article_with_text(TEXT)
    edited = TEXT.replace("Monday", "Tuesday")

    response = desk.post(reverse("desk:edit", args=[article.pk]),
                         {"revision": 1, "text": edited.replace("\n", "\r\n"), "reason": "wrong day"})

    assert response.status_code == 302
    revision = current_revision(article)
    assert (revision.text, revision.reason) == (edited, "wrong day")


def test_manual_edit_on_stale_revision_keeps_editors_text(desk: Client) -> None:
    article = article_with_text(TEXT)
    desk.post(reverse("desk:edit", args=[article.pk]), {"revision": 1, "text": TEXT + " First."})

    response = desk.post(reverse("desk:edit", args=[article.pk]), {"revision": 1, "text": TEXT + " Second."})

    assert response.status_code == 409
    assert "Second." in response.content.decode()
    assert current_text(article) == TEXT + " First."


def test_history_shows_who_when_why_and_reverts(desk: Client) -> None:
    article = article_with_text(TEXT)
    desk.post(reverse("desk:edit", args=[article.pk]),
              {"revision": 1, "text": TEXT.replace("Monday", "Tuesday"), "reason": "wrong day"})

    html = desk.get(reverse("desk:history", args=[article.pk])).content.decode()
    assert "user:edna" in html and "wrong day" in html
    assert "<del><bdi>Monday</bdi></del><ins><bdi>Tuesday</bdi></ins>" in html

    desk.post(reverse("desk:revert", args=[article.pk]), {"revision": 2, "number": 1})
    assert current_text(article) == TEXT and current_revision(article).reason == "reverted to revision 1"


# --- gazetteer and house style -------------------------------------------------------------------------


def test_rejected_pair_and_learned_alias_show_with_who(desk: Client) -> None:
    Entity.objects.create(name="Ukraine", type="place")
    article = article_with_text(TEXT)
    a = suggest(article, "Ukriane", "Ukraine", kind="entity")
    b = suggest(article, "Kiev", "Kyiv", kind="style")
    desk.post(reverse("desk:decide", args=[b.pk]), {"revision": 1, "action": "reject"})
    desk.post(reverse("desk:decide", args=[a.pk]), {"revision": 1, "action": "accept"})

    html = desk.get(reverse("desk:gazetteer")).content.decode()

    assert "Ukriane" in html and "learned" in html and "edna" in html
    assert "Kiev" in html and Suppression.objects.get().created_by.username == "edna"
    assert "Kiev" in desk.get(reverse("desk:suppressions")).content.decode()


@pytest.fixture
def admin_desk(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(username="ada", roles=["admin"]))
    return client


def test_gazetteer_search_entity_edit_and_alias_add(admin_desk: Client, desk: Client) -> None:
    admin_desk.post(reverse("desk:entity-new"), {"name": "Volodymyr Zelensky", "type": "person", "is_enabled": "on"})
    entity = Entity.objects.get(name="Volodymyr Zelensky")
    admin_desk.post(reverse("desk:alias-add", args=[entity.pk]), {"surface": "Zelenskyy", "kind": "variant"})

    assert Alias.objects.get(surface="Zelenskyy").created_by.username == "ada"
    assert "Volodymyr Zelensky" in desk.get(reverse("desk:gazetteer"), {"q": "zelenskyy"}).content.decode()
    assert AuditEvent.objects.filter(action="alias.created").count() == 1


def test_editors_read_the_gazetteer_but_only_admins_edit_it(desk: Client) -> None:
    entity = Entity.objects.create(name="Kyiv", type="place")

    page = desk.get(reverse("desk:entity", args=[entity.pk]))

    assert page.status_code == 200 and "Add an alias" not in page.content.decode()
    assert desk.post(reverse("desk:entity", args=[entity.pk]), {"name": "Kiev", "type": "place"}).status_code == 403
    assert desk.post(reverse("desk:alias-add", args=[entity.pk]), {"surface": "Kiev", "kind": "variant"}).status_code == 403
    entity.refresh_from_db()
    assert entity.name == "Kyiv" and not entity.aliases.exists()


def test_style_rule_create_and_always_correct(admin_desk: Client, desk: Client) -> None:
    admin_desk.post(reverse("desk:style"), {"pattern": "per cent", "replacement": "percent", "is_whole_word": "on",
                                            "is_enabled": "on", "exceptions": ""})
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")
    desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "always"})

    assert set(StyleRule.objects.values_list("pattern", flat=True)) == {"per cent", "Kiev"}
    assert "per cent" in desk.get(reverse("desk:style")).content.decode()


# --- the decision API ---------------------------------------------------------------------------------


@pytest.fixture
def editor_api(editor: object) -> APIClient:
    _, key = create_api_token("edna-token", user=editor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_api_accept_with_editor_token(editor_api: APIClient) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    response = editor_api.post(f"/api/v1/suggestions/{s.pk}/accept/", {"revision": 1}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["suggestion"]["status"] == "accepted" and response.json()["revision"] == 2


def test_api_decision_on_stale_revision_is_409_with_current_state(editor_api: APIClient) -> None:
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Kiev", "Kyiv", kind="style")
    editor_api.post(f"/api/v1/suggestions/{a.pk}/accept/", {"revision": 1}, format="json")

    response = editor_api.post(f"/api/v1/suggestions/{b.pk}/reject/", {"revision": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 2 and "revision 2" in response.json()["detail"]


def test_api_decisions_need_editor_role(token_client: APIClient) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    assert token_client.post(f"/api/v1/suggestions/{s.pk}/accept/", {"revision": 1}, format="json").status_code == 403
    assert APIClient().post(f"/api/v1/suggestions/{s.pk}/reject/", {"revision": 1}, format="json").status_code in (401, 403)


def test_api_accept_with_replacement_edits(editor_api: APIClient) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    editor_api.post(f"/api/v1/suggestions/{s.pk}/accept/", {"revision": 1, "replacement": "Kyiv (Kiev)"}, format="json")

    assert current_text(article) == TEXT.replace("Kiev", "Kyiv (Kiev)")


# --- two editors, two sessions -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_editors_in_two_sessions_never_lose_an_update() -> None:
    sessions = []
    for name in ("edna", "otto"):
        client = Client()
        client.force_login(UserFactory(username=name, roles=["editor"]))
        sessions.append(client)
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Kiev", "Kyiv", kind="style")
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def decide(client: Client, name: str, suggestion_id: int) -> None:
        try:
            barrier.wait()
            statuses[name] = client.post(reverse("desk:decide", args=[suggestion_id]),
                                         {"revision": 1, "action": "accept"}).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(sessions[0], "edna", a.pk)),
               threading.Thread(target=decide, args=(sessions[1], "otto", b.pk))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(statuses.values()) == [302, 409]
    winner = "edna" if statuses["edna"] == 302 else "otto"
    expected = TEXT.replace("Teh", "The") if winner == "edna" else TEXT.replace("Kiev", "Kyiv")
    assert current_text(article) == expected
    assert Revision.objects.filter(article=article).count() == 2
    loser = b if winner == "edna" else a
    assert Suggestion.objects.get(carried_from=loser).status == "pending"


# --- how text is cut for display -----------------------------------------------------------------

TEXTS = st.text(alphabet=st.sampled_from(list("ab Zé\n\r\t<>&\u200b\u202e\u200d\xa0😀\U00020000")), max_size=40)


@given(TEXTS)
def test_visible_pieces_concatenate_back_to_the_text(text: str) -> None:
    pieces = desk_view.visible_pieces(text)
    assert "".join(p.text for p in pieces) == text
    assert all(len(p.text) == 1 for p in pieces if p.hidden)
    assert not any(ch in p.text for p in pieces if not p.hidden for ch in "\u200b\u202e\xa0")


@given(TEXTS, TEXTS)
def test_readable_diff_holds_both_texts(old: str, new: str) -> None:
    parts = desk_view.readable_diff(old, new, context=10**6)
    shown_old = "".join(p.text for part in parts if part.op in ("equal", "delete") for p in part.pieces)
    shown_new = "".join(p.text for part in parts if part.op in ("equal", "insert") for p in part.pieces)
    assert old == new or (shown_old, shown_new) == (old, new)


def test_readable_diff_shows_whole_words() -> None:
    parts = desk_view.readable_diff("Volodimir Zelanski of Ukraine", "Volodymyr Zelensky of Ukraine")
    assert [(p.op, "".join(x.text for x in p.pieces)) for p in parts if p.op != "equal"] == [
        ("delete", "Volodimir"), ("insert", "Volodymyr"), ("delete", "Zelanski"), ("insert", "Zelensky")]


@given(TEXTS, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 5)), max_size=6))
def test_review_layout_shows_every_character_once(text: str, spans: list[tuple[int, int]]) -> None:
    suggestions = [
        Suggestion(id=i + 1, start=min(s, len(text)), end=min(s + n, len(text)),
                   original=text[min(s, len(text)):min(s + n, len(text))], replacement="X", kind="spelling")
        for i, (s, n) in enumerate(spans)
    ]
    segments, cards = desk_view.review_layout(text, suggestions)
    assert "".join(p.text for seg in segments for p in seg.pieces) == text
    assert len(cards) == len(suggestions)
    for seg in segments:
        if seg.card is not None:
            s = seg.card.suggestion
            assert "".join(p.text for p in seg.pieces) == text[s.start:s.end]


def test_story_panel_highlights_other_outlets_spellings_of_the_names(desk: Client) -> None:
    article = article_with_text("Volodimir Zelanski spoke on Monday.", source="daily")
    other = article_with_text("President Volodymyr Zelensky spoke. Zelensky said no.", source="weekly")
    Article.objects.filter(pk__in=[article.pk, other.pk]).update(story=Story.objects.create(title="Talks"))
    suggest(article, "Zelanski", "Zelensky", kind="entity")

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    panel = html[html.index("Other outlets"):]
    assert "weekly" in panel
    assert '<mark class="name">Zelensky</mark> ×2' in panel
    assert panel.count('<mark class="name">') >= 3  # the summary and the excerpts


def test_the_search_finds_a_copy_once_its_job_has_run_and_an_edit_at_once(desk: Client, editor: User) -> None:
    """The search vector of a client's text is the pipeline job's to write, not the ingest's; a
    revision made at the desk is searchable as soon as it is stored."""
    article = article_with_text("Rain fell on the harbour all week.", source="weekly", title="Weather")

    def found(word: str) -> bool:
        return "Weather" in desk.get(reverse("desk:queue"), {"q": word, "status": "received"}).content.decode()

    assert not found("harbour")
    pipeline.process_revision(PipelineJob.objects.get(article=article))
    Article.objects.filter(pk=article.pk).update(status=Article.Status.RECEIVED)
    assert found("harbour")
    create_revision(article=Article.objects.get(pk=article.pk), base=current_revision(article),
                    text="Snow fell on the lighthouse all week.", changes=[], actor=editor, reason="edited")
    assert found("lighthouse")
