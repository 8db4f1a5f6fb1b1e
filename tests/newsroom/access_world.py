"""A small newsroom for checking who may do what: a user per role, a plain client's token, articles
in every state, gazetteer rows, and for each URL and action of the site a request that succeeds for
a role that may make it. Built inside each test's transaction, so every cell starts fresh."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User

from articles.feeds import FeedSettings, create_feed
from articles.models import Article, Feed, Story
from articles.publish import publish_revision
from articles.tokens import create_api_token
from corrections.bulk import Seen, apply_change
from corrections.models import Alias, Entity, StyleRule, Suggestion, Suppression
from corrections.review import edit_text, reject_suggestion
from newsroom.roles import has_role
from tests.corrections.desk import article_with_text, failed_job, suggest
from tests.newsroom.access_matrix import ROLES

TEXT = "Teh president of Ukriane met the mayor in Kiev on Monday."


@dataclass
class World:
    """What every cell needs: a user per role, a plain client's token, and articles in each state."""

    users: dict[str, User]
    key: str
    own: Article  # sent by the plain client
    article: Article  # sent by another client, in a story, with pending suggestions
    sibling: Article  # another outlet's copy of the same story
    story: Story
    published: Article  # published once, then edited: ready for a correction
    suggestions: dict[str, Suggestion]
    entity: Entity
    alias: Alias
    rule: StyleRule
    suppression: Suppression


def _user(username: str, role: str | None) -> User:
    # No password: hashing one for every cell would cost most of the run; the login row needs none.
    user = User.objects.create(username=username, is_staff=role == "admin")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def build_world() -> World:
    users = {role: _user(f"{role}-user", role) for role in ROLES if role not in ("anonymous", "client")}
    plain, key = create_api_token(f"plain-{uuid.uuid4().hex[:8]}")
    own = article_with_text(TEXT, source="own", client=plain)
    story = Story.objects.create(title="Summit")
    article = article_with_text(TEXT, source="daily")
    sibling = article_with_text(TEXT.replace("Teh", "The"), source="weekly")
    Article.objects.filter(pk__in=[article.pk, sibling.pk]).update(story=story)
    article.refresh_from_db()
    suggestions = {
        "accept": suggest(article, "Teh", "The"),
        "reject": suggest(article, "Kiev", "Kyiv", kind="style"),
        "edit": suggest(article, "Ukriane", "Ukraine", kind="entity"),
        "always": suggest(article, "Monday", "Mon.", kind="style"),
    }
    published = article_with_text(TEXT, source="gazette")
    publish_revision(article_id=published.pk, revision_number=1, actor=users["publisher"])
    edit_text(article_id=published.pk, seen_revision=1, actor=users["editor"], text=TEXT.replace("Teh", "The"),
              reason="typo")
    published.refresh_from_db()
    entity = Entity.objects.create(name="Volodymyr Zelensky", type="person")
    return World(
        users=users, key=key, own=own, article=article, sibling=sibling, story=story, published=published,
        suggestions=suggestions, entity=entity, alias=Alias.objects.create(entity=entity, surface="Zelenskyy"),
        rule=StyleRule.objects.create(pattern="per cent", replacement="percent"),
        suppression=Suppression.objects.create(original="Kiev", replacement="Kyiv"),
    )


# --- the requests: one per matrix row, with a payload that succeeds for a role that may act ---------


@dataclass
class Call:
    args: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    is_json: bool = False  # API bodies are JSON; desk forms are form-encoded
    headers: dict[str, str] = field(default_factory=dict)


def _may(user: User | None, role: str) -> bool:
    return user is not None and has_role(user, role)


def _undo(w: World, user: User | None) -> Call:
    # Something of the user's own to undo: a rejection (no new revision, so revision 1 stays current).
    if _may(user, "editor"):
        reject_suggestion(suggestion_id=w.suggestions["reject"].pk, seen_revision=1, actor=user)
    return Call((w.article.pk,), {"revision": 1})


def _decision(w: World, user: User | None) -> Call:
    """A change across articles made by the editor: Teh → The on the world's article."""
    decision = apply_change(original="Teh", replacement="The", seen=[Seen(w.article.pk, 1)], actor=w.users["editor"])
    return Call((decision.pk,))


def _article_json(w: World) -> dict[str, Any]:
    return {"source": "wire", "external_id": uuid.uuid4().hex, "title": "Fresh", "body": "A fresh body."}


def _feed(w: World) -> Feed:
    return create_feed(data=FeedSettings(url="https://wire.example.com/atom"), actor=w.users["admin"])


def _feed_form() -> dict[str, str]:
    return {"url": "https://wire.example.com/rss", "kind": "rss", "interval": "600", "is_enabled": "on",
            "source": "", "username": "", "password": ""}


Builder = Callable[[World, User | None], Call]
CALLS: dict[str, Builder] = {
    "healthz GET": lambda w, u: Call(),
    "healthz POST": lambda w, u: Call(),
    "login GET": lambda w, u: Call(),
    "login POST wrong password": lambda w, u: Call(data={"username": "editor-user", "password": "not the password"}),
    "logout POST": lambda w, u: Call(),
    "logout GET": lambda w, u: Call(),
    "metrics GET": lambda w, u: Call(),
    "metrics GET scrape token": lambda w, u: Call(headers={"Authorization": f"Bearer {settings.NEWSROOM_METRICS_TOKEN}"}),
    "metrics POST": lambda w, u: Call(),
    "schema GET": lambda w, u: Call(),
    "api-docs GET": lambda w, u: Call(),
    "admin:index GET": lambda w, u: Call(),
    "desk:queue GET": lambda w, u: Call(),
    "desk:review GET": lambda w, u: Call((w.article.pk,)),
    "desk:history GET": lambda w, u: Call((w.article.pk,)),
    "desk:edit GET": lambda w, u: Call((w.article.pk,)),
    "desk:story GET": lambda w, u: Call((w.story.pk,)),
    "desk:audit GET": lambda w, u: Call(data={"article": w.article.pk}),
    "desk:published GET": lambda w, u: Call((w.published.pk,)),
    "desk:publication GET": lambda w, u: Call((w.published.pk, 1)),
    "desk:publish GET": lambda w, u: Call((w.published.pk,)),
    "desk:gazetteer GET": lambda w, u: Call(data={"q": "zel"}),
    "desk:entity GET": lambda w, u: Call((w.entity.pk,)),
    "desk:entity-new GET": lambda w, u: Call(),
    "desk:suppressions GET": lambda w, u: Call(),
    "desk:style GET": lambda w, u: Call(),
    "desk:style-rule GET": lambda w, u: Call((w.rule.pk,)),
    "desk:decide POST accept": lambda w, u: Call((w.suggestions["accept"].pk,), {"revision": 1, "action": "accept"}),
    "desk:decide POST reject": lambda w, u: Call((w.suggestions["reject"].pk,), {"revision": 1, "action": "reject"}),
    "desk:decide POST edit": lambda w, u: Call((w.suggestions["edit"].pk,),
                                               {"revision": 1, "action": "edit", "replacement": "Ukraine's"}),
    "desk:decide POST always": lambda w, u: Call((w.suggestions["always"].pk,), {"revision": 1, "action": "always"}),
    "desk:decide GET": lambda w, u: Call((w.suggestions["accept"].pk,), {"revision": 1, "action": "accept"}),
    "desk:decide-group POST accept": lambda w, u: Call((w.suggestions["accept"].pk,), {"revision": 1, "action": "accept"}),
    "desk:decide-group POST reject": lambda w, u: Call((w.suggestions["reject"].pk,), {"revision": 1, "action": "reject"}),
    "desk:decide-group GET": lambda w, u: Call((w.suggestions["accept"].pk,), {"revision": 1, "action": "accept"}),
    "desk:accept-all POST": lambda w, u: Call((w.article.pk,), {"revision": 1, "kind": "style"}),
    "desk:decision-preview GET": lambda w, u: Call(data={"original": "Teh", "replacement": "The"}),
    "desk:decisions GET": lambda w, u: Call(),
    "desk:decisions POST": lambda w, u: Call(data={"original": "Teh", "replacement": "The",
                                                   "seen": [f"{w.article.pk}:1"]}),
    "desk:decision GET": _decision,
    "desk:decision-undo POST": _decision,
    "desk:undo POST": _undo,
    "desk:edit POST": lambda w, u: Call((w.article.pk,), {"revision": 1, "text": TEXT + " More.", "reason": "more"}),
    "desk:revert POST": lambda w, u: Call((w.published.pk,), {"revision": 2, "number": 1}),
    "desk:publish POST publish": lambda w, u: Call((w.article.pk,), {"revision": 1, "confirm_pending": "true"}),
    "desk:publish POST correct": lambda w, u: Call((w.published.pk,),
                                                   {"revision": 2, "correction_note": "An earlier version had a typo."}),
    "desk:story-canonical POST": lambda w, u: Call((w.story.pk,), {"article": w.sibling.pk}),
    "desk:entity-new POST": lambda w, u: Call(data={"name": "Kyiv", "type": "place", "is_enabled": "on"}),
    "desk:entity POST": lambda w, u: Call((w.entity.pk,), {"name": "Volodymyr Zelenskyy", "type": "person",
                                                            "is_enabled": "on"}),
    "desk:alias-add POST": lambda w, u: Call((w.entity.pk,), {"surface": "Zelenski", "kind": "misspelling"}),
    "desk:alias-toggle POST": lambda w, u: Call((w.alias.pk,), {}),
    "desk:suppression-toggle POST": lambda w, u: Call((w.suppression.pk,), {}),
    "desk:style POST": lambda w, u: Call(data={"pattern": "e-mail", "replacement": "email", "is_whole_word": "on",
                                               "is_enabled": "on", "exceptions": ""}),
    "desk:style-rule POST": lambda w, u: Call((w.rule.pk,), {"pattern": "per cent", "replacement": "%",
                                                              "is_whole_word": "on", "is_enabled": "on",
                                                              "exceptions": ""}),
    "desk:ops GET": lambda w, u: Call(),
    "desk:job-retry POST": lambda w, u: Call((failed_job(w.own.client).pk,)),
    "desk:job-retry GET": lambda w, u: Call((failed_job(w.own.client).pk,)),
    "feeds:list GET": lambda w, u: Call(),
    "feeds:list POST": lambda w, u: Call(data=_feed_form()),
    "feeds:edit GET": lambda w, u: Call((_feed(w).pk,)),
    "feeds:edit POST": lambda w, u: Call((_feed(w).pk,), _feed_form()),
    "feeds:poll POST": lambda w, u: Call((_feed(w).pk,)),
    "feeds:poll GET": lambda w, u: Call((_feed(w).pk,)),
    "api:feeds GET": lambda w, u: Call(),
    "api:feeds POST": lambda w, u: Call(data={"url": "https://wire.example.com/rss"}, is_json=True),
    "api:feed-detail GET": lambda w, u: Call((_feed(w).pk,)),
    "api:feed-detail PATCH": lambda w, u: Call((_feed(w).pk,), {"interval": 900}, is_json=True),
    "api:feed-poll POST": lambda w, u: Call((_feed(w).pk,), {}, is_json=True),
    "api:articles POST": lambda w, u: Call(data=_article_json(w), is_json=True),
    "api:articles GET": lambda w, u: Call(),
    "api:articles-batch POST": lambda w, u: Call(data={"articles": [_article_json(w)]}, is_json=True),
    "api:article-detail GET other client's": lambda w, u: Call((w.article.pk,)),
    "api:article-detail GET own": lambda w, u: Call((w.own.pk,)),
    "api:article-detail DELETE": lambda w, u: Call((w.own.pk,)),
    "api:article-detail PUT": lambda w, u: Call((w.own.pk,), {"title": "Changed"}, is_json=True),
    "api:article-revisions GET other client's": lambda w, u: Call((w.article.pk,)),
    "api:article-revisions GET own": lambda w, u: Call((w.own.pk,)),
    "api:article-revision-detail GET other client's": lambda w, u: Call((w.article.pk, 1)),
    "api:article-suggestions GET other client's": lambda w, u: Call((w.article.pk,)),
    "api:suggestion-accept POST": lambda w, u: Call((w.suggestions["accept"].pk,), {"revision": 1}, is_json=True),
    "api:suggestion-reject POST": lambda w, u: Call((w.suggestions["reject"].pk,), {"revision": 1}, is_json=True),
    "api:decisions POST": lambda w, u: Call(data={"original": "Teh", "replacement": "The",
                                                  "articles": [{"id": w.article.pk, "revision": 1}]}, is_json=True),
    "api:decision-detail GET": _decision,
    "api:decision-undo POST": lambda w, u: Call(_decision(w, u).args, is_json=True),
    "api:article-publish POST publish": lambda w, u: Call((w.article.pk,), {"revision": 1, "confirm_pending": True},
                                                          is_json=True),
    "api:article-publish POST correct": lambda w, u: Call(
        (w.published.pk,), {"revision": 2, "correction_note": "An earlier version had a typo."}, is_json=True),
    "api:article-canonical GET": lambda w, u: Call((w.published.pk,)),
    "api:article-publication-detail GET": lambda w, u: Call((w.published.pk, 1)),
    "api:article-publication-detail DELETE": lambda w, u: Call((w.published.pk, 1)),
    "api:published-feed GET": lambda w, u: Call(),
    "api:story-canonical POST": lambda w, u: Call((w.story.pk,), {"article": w.sibling.pk}, is_json=True),
    "api:audit GET": lambda w, u: Call(data={"article": w.article.pk}),
}
