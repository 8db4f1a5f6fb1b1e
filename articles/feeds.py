"""Feeds pulled: an admin registers RSS/Atom feeds and NewsML-G2/ninjs URLs; beat polls the due ones.

Polling: ``claim_due_feeds`` (beat, every NEWSROOM_FEED_TICK s) claims each due feed with a
conditional UPDATE and hands out one token per feed; ``poll_feed`` (one task per feed) takes the
claim over, so two beats or two deliveries of one task never poll a feed twice at once. A fetch is
a conditional GET (If-None-Match / If-Modified-Since: a 304 ingests nothing), streamed and stopped
beyond NEWSROOM_FEED_MAX_BYTES or NEWSROOM_FEED_TIMEOUT. Each entry becomes an article through the
same validation (``ArticleIn``) and ``ingest_article`` as the API, keyed by the entry's guid, so a
re-polled entry is an identical re-send (nothing new) and a changed one a new revision. Errors back
off exponentially per feed (interval x 2^failures, at most NEWSROOM_FEED_MAX_BACKOFF).

Articles taken in belong to the feed's own API client (one per feed, created with it, its key
thrown away): the desk sees which feed sent what, and two feeds never overwrite each other's
articles (the second gets a conflict, shown as a skipped entry).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax import SAXException

import feedparser
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.audit import record_event
from articles.feed_addresses import ForbiddenDestination, guarded_session
from articles.feed_secrets import UnreadableSecret, decrypt_secret, encrypt_secret
from articles.ingest import ArticleData, IngestConflict, NoMainText, ingest_batch
from articles.models import Feed, IngestRequest
from articles.serializers import ArticleIn
from articles.tokens import create_api_token
from articles.wire import (
    G2,
    NINJS,
    NITF,
    Defaults,
    KillNotice,
    NotText,
    WireFormatError,
    WireItem,
    WireResult,
)
from articles.wire.formats import read_document
from articles.wire.text import (
    normalise_space,
    paragraphs_from_html,
    paragraphs_from_plain,
    source_slug,
)
from articles.wire.xml import local_name, parse_xml
from articles.withdraw import NothingToWithdraw, NotYours, WithdrawOutcome

logger = logging.getLogger(__name__)

USER_AGENT = "newsroom-feeds/1"
ACCEPT = ("application/rss+xml, application/atom+xml, application/ninjs+json, "
          "application/vnd.iptc.g2.newsitem+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The feed could not be fetched (network, HTTP status, size or time limit)."""


class FeedBroken(Exception):
    """The feed was fetched but is not a feed newsroom can read."""


# --- registering and editing ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """What an admin sets. ``password`` None keeps the stored one; "" removes it."""

    url: str
    kind: str = Feed.Kind.DETECT
    source: str = ""
    interval: int = 300
    is_enabled: bool = True
    username: str = ""
    password: str | None = None


def _apply(feed: Feed, data: FeedSettings) -> list[str]:
    changed = []
    for name in ("url", "kind", "source", "interval", "is_enabled", "username"):
        if getattr(feed, name) != getattr(data, name):
            setattr(feed, name, getattr(data, name))
            changed.append(name)
    if data.password is not None:
        feed.password_encrypted = encrypt_secret(data.password)
        changed.append("password")
    return changed


def create_feed(*, data: FeedSettings, actor: AbstractBaseUser) -> Feed:
    """Register a feed, due at once, with its own API client; audited (never the password)."""
    with transaction.atomic():
        client, _key = create_api_token(f"feed-{uuid.uuid4().hex[:12]}")
        feed = Feed(client=client, next_poll_at=timezone.now())
        _apply(feed, data)
        feed.save()
        record_event(action="feed.created", actor=actor, obj=feed,
                     detail={"url": feed.url, "kind": feed.kind, "source": feed.source, "interval": feed.interval,
                             "is_enabled": feed.is_enabled, "has_password": bool(feed.password_encrypted)})
    return feed


def update_feed(*, feed_id: int, data: FeedSettings, actor: AbstractBaseUser) -> Feed:
    """Change a feed's settings (enabling a disabled feed makes it due now); audited by field
    name (never the password). Raises Feed.DoesNotExist."""
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed_id)
        was_enabled = feed.is_enabled
        changed = _apply(feed, data)
        if feed.is_enabled and not was_enabled:
            feed.next_poll_at, feed.consecutive_failures = timezone.now(), 0
        feed.save()
        if changed:
            record_event(action="feed.updated", actor=actor, obj=feed, detail={"changed": changed, "url": feed.url})
    return feed


def request_poll(*, feed_id: int, actor: AbstractBaseUser) -> Feed:
    """Make a feed due now (the next beat tick polls it); audited. Raises Feed.DoesNotExist."""
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed_id)
        feed.next_poll_at = timezone.now()
        feed.save(update_fields=["next_poll_at", "updated_at"])
        record_event(action="feed.poll_requested", actor=actor, obj=feed, detail={"url": feed.url})
    return feed


# --- health, for the feeds page, the API and the ops page ----------------------------------------


@dataclass(frozen=True, slots=True)
class FeedHealth:
    id: int
    url: str
    kind: str
    source: str
    is_enabled: bool
    status: str
    last_polled_at: datetime | None
    last_succeeded_at: datetime | None
    last_error: str
    last_result: str
    consecutive_failures: int
    next_poll_at: datetime
    articles_taken: int

    @property
    def is_failing(self) -> bool:
        return self.status == Feed.Status.ERROR


def feed_health() -> list[FeedHealth]:
    """Every feed with its last poll, status, error and articles taken in: failing feeds first,
    then by id. One query."""
    rows = Feed.objects.order_by(F("consecutive_failures").desc(), "id").values(
        "id", "url", "kind", "source", "is_enabled", "status", "last_polled_at", "last_succeeded_at", "last_error",
        "last_result", "consecutive_failures", "next_poll_at", "articles_taken")
    return [FeedHealth(**row) for row in rows]


# --- polling ---------------------------------------------------------------------------------------


def claim_due_feeds(now: datetime | None = None) -> list[tuple[int, str]]:
    """Claim every enabled feed that is due and not being polled (or whose poll outlived
    NEWSROOM_FEED_LEASE: a worker died), one conditional UPDATE each. Returns (feed id, token) for
    the claims won; the caller enqueues ``poll_feed`` for each."""
    now = now or timezone.now()
    free = Q(claim="") | Q(claimed_at__lt=now - settings.NEWSROOM_FEED_LEASE)
    due = Feed.objects.filter(free, is_enabled=True, next_poll_at__lte=now)
    claims = []
    for feed_id, claim in due.values_list("id", "claim"):
        token = uuid.uuid4().hex
        if Feed.objects.filter(pk=feed_id, claim=claim).filter(free).update(claim=token, claimed_at=now) == 1:
            claims.append((feed_id, token))
    return claims


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    content_type: str
    body: bytes
    etag: str
    last_modified: str


def fetch(url: str, *, etag: str = "", last_modified: str = "", auth: tuple[str, str] | None = None) -> Fetched:
    """GET ``url`` conditionally, streaming, stopping beyond NEWSROOM_FEED_MAX_BYTES (decoded) or
    NEWSROOM_FEED_TIMEOUT seconds, to public addresses only (articles.feed_addresses). Raises
    FetchError for a network error, an HTTP error status, a limit crossed, or a destination (the URL
    or a redirect) that is not public."""
    limit, timeout = settings.NEWSROOM_FEED_MAX_BYTES, settings.NEWSROOM_FEED_TIMEOUT
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        with guarded_session() as session:
            session.max_redirects = MAX_REDIRECTS
            with session.get(url, headers=headers, auth=auth, stream=True, timeout=(min(10.0, timeout), timeout)) as response:
                if response.status_code == 304:
                    return Fetched(304, "", b"", etag, last_modified)
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".strip())
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"the feed is {declared} bytes, over the limit of {limit} (NEWSROOM_FEED_MAX_BYTES)")
                chunks, size = [], 0
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"the feed is over the limit of {limit} bytes (NEWSROOM_FEED_MAX_BYTES)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"the feed took longer than {timeout:g} s to fetch (NEWSROOM_FEED_TIMEOUT)")
                    chunks.append(chunk)
                return Fetched(response.status_code, response.headers.get("Content-Type", ""), b"".join(chunks),
                               response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""))
    except requests.RequestException as ex:
        raise FetchError(f"{type(ex).__name__}: {ex}"[:500]) from None
    except ForbiddenDestination as ex:
        raise FetchError(str(ex)[:500]) from None


def detect_kind(content_type: str, body: bytes) -> str:
    """rss, atom, g2, ninjs or nitf, from the media type and the document's root."""
    media_type = content_type.split(";")[0].strip().lower()
    if "json" in media_type or body.lstrip()[:1] in (b"{", b"["):
        return "ninjs"
    if "atom" in media_type:
        return Feed.Kind.ATOM
    if "rss" in media_type:
        return Feed.Kind.RSS
    try:
        root = local_name(parse_xml(body))
    except WireFormatError:
        return Feed.Kind.RSS  # feedparser reads what a strict parser refuses (an RSS 0.91 DOCTYPE)
    return {"newsItem": "g2", "newsMessage": "g2", "nitf": "nitf", "feed": Feed.Kind.ATOM}.get(root, Feed.Kind.RSS)


def _entry_time(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return moment.isoformat() if 1000 <= moment.year <= 9998 else None


def item_from_entry(entry: Any, defaults: Defaults, language: str) -> WireResult:
    """An RSS/Atom entry (feedparser's) as an article, keyed by its guid (else its link)."""
    external_id = normalise_space(str(entry.get("id") or entry.get("link") or ""))
    if not external_id:
        return NotText({"guid": ["The entry has neither a guid/id nor a link to key it by."]})
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail") or {}
    value = str(detail.get("value") or (entry.get("summary") if not contents else "") or "")
    paragraphs = paragraphs_from_plain(value) if detail.get("type") == "text/plain" else paragraphs_from_html(value)
    if not paragraphs:
        return NotText({"content": ["The entry holds no text (no content or summary)."]})
    title = " ".join(paragraphs_from_html(str(entry.get("title") or ""))) or paragraphs[0][:120]
    item: WireItem = {"source": defaults.source or defaults.fallback_source, "external_id": external_id,
                      "title": title, "body": "\n\n".join(paragraphs)}
    entry_language = (detail.get("language") or language or "").strip()
    if entry_language:
        item["language"] = entry_language
    published = _entry_time(entry)
    if published:
        item["published_at"] = published
    return item


def read_feed(fetched: Fetched, kind: str, defaults: Defaults) -> tuple[list[WireResult | WireFormatError], dict[str, str]]:
    """The entries of a fetched feed, and the optional article fields they share (url per entry).
    Raises FeedBroken for a document that is no feed of ``kind``."""
    kind = detect_kind(fetched.content_type, fetched.body) if kind == Feed.Kind.DETECT else kind
    if kind in ("g2", "ninjs", "nitf"):
        media_type = {"g2": G2, "ninjs": NINJS, "nitf": NITF}[kind]
        try:
            return read_document(media_type, fetched.body, defaults), {}
        except WireFormatError as ex:
            raise FeedBroken(f"not a {kind} document: {ex}") from None
    parsed = feedparser.parse(fetched.body, response_headers={"content-type": fetched.content_type or "application/xml"})
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and (not parsed.entries or isinstance(problem, SAXException)):
        # Not well-formed XML: what feedparser's lenient parser recovers may be a truncated half.
        raise FeedBroken(f"not an RSS or Atom feed: {problem}"[:500])
    if not parsed.get("version") and not parsed.entries:
        raise FeedBroken("not an RSS or Atom feed: no channel or feed element")
    language = str(parsed.feed.get("language") or "")
    links = {}
    results: list[WireResult | WireFormatError] = []
    for entry in parsed.entries:
        result = item_from_entry(entry, defaults, language)
        results.append(result)
        if isinstance(result, dict) and entry.get("link"):
            links[result["external_id"]] = str(entry["link"])
    return results, links


@dataclass(frozen=True, slots=True)
class PollOutcome:
    status: str
    taken: int = 0  # new articles and new revisions
    unchanged: int = 0
    skipped: tuple[str, ...] = ()
    error: str = ""


def _ingest_entries(feed: Feed, fetched: Fetched, results: list[WireResult | WireFormatError],
                    links: dict[str, str], token: str) -> PollOutcome:
    """Each entry through ArticleIn, then all (and kill notices) through ingest_batch, in one
    transaction with the feed's bytes as its raw request; rolled back whole when nothing was new
    (an unchanged feed leaves no copy)."""
    taken = unchanged = 0
    notes: dict[int, str] = {}  # why an entry was skipped, by its index
    with transaction.atomic():
        raw = IngestRequest.objects.create(client=feed.client, content_type=fetched.content_type[:200] or "application/xml",
                                           body=fetched.body, request_id=f"feed:{feed.pk}:{token[:16]}")
        valid: list[tuple[int, ArticleData | KillNotice]] = []
        for index, result in enumerate(results):
            if isinstance(result, (NotText, WireFormatError)):
                reasons = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in result.errors.items())
                notes[index] = f"entry {index}: {reasons}"[:300]
                continue
            if isinstance(result, KillNotice):  # the article it names is withdrawn (articles.withdraw)
                valid.append((index, result))
                continue
            data = dict(result)
            link = links.get(result["external_id"], "")
            checked = ArticleIn(data={**data, "url": link} if link else data)
            if not checked.is_valid() and link:
                checked = ArticleIn(data=data)  # a link the API would refuse is left out, not the entry
            if not checked.is_valid():
                notes[index] = f"entry {index} ({result['external_id'][:80]}): {dict(checked.errors)}"[:300]
                continue
            valid.append((index, ArticleData(**checked.validated_data)))
        entries = dict(valid)
        for index, outcome in ingest_batch(client=feed.client, items=valid, request=raw).items():
            if isinstance(outcome, (IngestConflict, NoMainText, NothingToWithdraw, NotYours)):
                notes[index] = f"entry {index} ({entries[index].external_id[:80]}): {outcome}"[:300]
            elif outcome.changed if isinstance(outcome, WithdrawOutcome) else outcome.new_revision:
                taken += 1
            else:
                unchanged += 1
        if not taken:
            transaction.set_rollback(True)
    skipped = [notes[index] for index in sorted(notes)]
    return PollOutcome(status=Feed.Status.OK, taken=taken, unchanged=unchanged, skipped=tuple(skipped))


def _backoff(feed: Feed, failures: int) -> timedelta:
    return min(timedelta(seconds=feed.interval * 2 ** min(failures, 20)), max(settings.NEWSROOM_FEED_MAX_BACKOFF,
                                                                            timedelta(seconds=feed.interval)))


def poll_feed(*, feed_id: int, token: str) -> PollOutcome | None:
    """Poll one claimed feed (``token`` from claim_due_feeds) and record the outcome on it. None
    when the claim is not (or no longer) this caller's: another poll of it runs or ran."""
    running = f"{token}:running"
    now = timezone.now()
    if Feed.objects.filter(pk=feed_id, claim=token).update(claim=running, claimed_at=now) != 1:
        return None
    feed = Feed.objects.select_related("client").get(pk=feed_id)
    defaults = Defaults(source=feed.source or None, fallback_source=source_slug(feed.url) or "feed")
    fetched: Fetched | None = None
    try:
        auth = (feed.username, decrypt_secret(feed.password_encrypted)) if feed.username else None
        fetched = fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified, auth=auth)
        if fetched.status == 304:
            outcome = PollOutcome(status=Feed.Status.NOT_MODIFIED)
        else:
            results, links = read_feed(fetched, feed.kind, defaults)
            outcome = _ingest_entries(feed, fetched, results, links, token)
    except (FetchError, FeedBroken, UnreadableSecret) as ex:
        outcome = PollOutcome(status=Feed.Status.ERROR, error=str(ex)[:2000])
    except Exception as ex:
        # A bug, not the feed's fault: still release the claim and show it on the page, then let
        # the task fail loudly.
        logger.exception("feed poll crashed", extra={"feed_id": feed_id})
        _record(feed, running, PollOutcome(status=Feed.Status.ERROR, error=f"internal error: {type(ex).__name__}"),
                None, timezone.now())
        raise
    _record(feed, running, outcome, fetched, timezone.now())
    return outcome


def _record(feed: Feed, running: str, outcome: PollOutcome, fetched: Fetched | None, now: datetime) -> None:
    updates: dict[str, Any] = {"claim": "", "claimed_at": None, "last_polled_at": now, "status": outcome.status}
    if outcome.status == Feed.Status.ERROR:
        failures = feed.consecutive_failures + 1
        updates.update(last_error=outcome.error, consecutive_failures=failures, next_poll_at=now + _backoff(feed, failures))
        logger.warning("feed poll failed", extra={"feed_id": feed.pk, "failures": failures})
    else:
        updates.update(last_error="", consecutive_failures=0, last_succeeded_at=now,
                       next_poll_at=now + timedelta(seconds=feed.interval),
                       articles_taken=F("articles_taken") + outcome.taken)
        if fetched is not None and fetched.status != 304:
            updates.update(etag=fetched.etag[:1000], last_modified=fetched.last_modified[:200],
                           last_result=_summary(outcome)[:2000])
    Feed.objects.filter(pk=feed.pk, claim=running).update(**updates)


def _summary(outcome: PollOutcome) -> str:
    text = f"{outcome.taken} new or changed, {outcome.unchanged} unchanged, {len(outcome.skipped)} skipped"
    return text + (": " + " | ".join(outcome.skipped[:5]) if outcome.skipped else "")

