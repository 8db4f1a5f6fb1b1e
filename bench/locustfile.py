"""The Locust side of bench/load_bench.py: ingest clients and editors (RELIABILITY.md F1/F2/F3).

Not meant to be run by hand: load_bench.py builds the scratch system, writes a JSON config and runs

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:PORT -u N -r N -t Ss

with LOAD_BENCH_CONFIG=/path/config.json in the environment. Every request is recorded (name, status,
milliseconds, start time) and every editor decision (suggestion, action, status, editor); both are
written as JSON to the config's ``out`` path when Locust quits, and load_bench.py computes the
percentiles, status counts and invariants from them.

User classes (their counts are fixed by the config):

- SingleIngest: POST /api/v1/articles/ with a ~5 KB article, paced so that all of them together
  send ``single_rps`` (spread over several API tokens, each well under NEWSROOM_API_RATE);
- BatchIngest: POST /api/v1/articles/batch/ with ``batch_size`` such articles, ``batch_rps`` in all;
- Editor: every ``editor_period`` seconds opens the review page of its article (session cookie made
  by load_bench.py) and accepts or rejects one pending suggestion, as the desk's htmx form does;
- OverRate: one API client asking GET /api/v1/articles/?page_size=1 at a multiple of its rate
  limit, to see 429 (never 5xx) once it is over.

Ingest rates follow the config's ``phases`` (start, end, multiplier) for the F3 soak and burst.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, events, task

ROOT = Path(__file__).resolve().parent.parent
CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOAD_BENCH_CONFIG"]).read_text()) \
    if os.environ.get("LOAD_BENCH_CONFIG") else {}

# name, status, ms, start (epoch s); status 0: no answer (timeout, reset), -1: cut off when the load
# stopped (Locust stops users after --stop-timeout; ms is then how long it had waited so far).
REQUESTS: list[tuple[str, int, float, float]] = []
DECISIONS: list[dict[str, Any]] = []
STARTED = {"at": time.time()}
IN_FLIGHT: dict[int, tuple[str, float]] = {}
FLIGHTS = itertools.count()
TIMEOUT = 120.0  # seconds a client waits for an answer


@contextlib.contextmanager
def in_flight(name: str) -> Iterator[None]:
    """Remember a request while it runs, so that one cut off at the stop is still counted."""
    key = next(FLIGHTS)
    IN_FLIGHT[key] = (name, time.time())
    try:
        yield
    except BaseException:  # GreenletExit: Locust stopped this user mid-request
        _cut_off(key)
        raise
    finally:
        IN_FLIGHT.pop(key, None)


def _cut_off(key: int) -> None:
    entry = IN_FLIGHT.pop(key, None)
    if entry is not None:
        REQUESTS.append((entry[0], -1, (time.time() - entry[1]) * 1000, entry[1]))


@events.test_start.add_listener
def _started(**_: Any) -> None:
    STARTED["at"] = time.time()


@events.request.add_listener
def _record(name: str, response_time: float, response: Any = None, exception: Any = None,
            start_time: float | None = None, **_: Any) -> None:
    status = int(getattr(response, "status_code", 0) or 0)
    REQUESTS.append((name, status, float(response_time or 0.0), float(start_time or time.time())))


@events.quitting.add_listener
def _dump(**_: Any) -> None:
    for key in list(IN_FLIGHT):
        _cut_off(key)
    out = CONFIG.get("out")
    if out:
        Path(out).write_text(json.dumps({"started": STARTED["at"], "requests": REQUESTS, "decisions": DECISIONS}))


# --- article text ---------------------------------------------------------------------------------

def _vocabulary() -> tuple[list[str], list[str]]:
    words: set[str] = set()
    for path in sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        words.update(w for w in re.findall(r"[A-Za-z][a-z]+", path.read_text(encoding="utf-8")) if len(w) > 1)
    names: list[str] = []
    try:
        gazetteer = json.loads((ROOT / "seeds" / "gazetteer.json").read_text(encoding="utf-8"))
        for entity in gazetteer.get("entities", []):
            names.append(entity["name"])
            names.extend(a["surface"] for a in entity.get("aliases", []))  # variants and misspellings
    except (OSError, ValueError, KeyError):
        pass
    return sorted(w.lower() for w in words), names or ["Vladimir Putin", "Donald Trump"]


WORDS, NAMES = _vocabulary()
CHROME_TOP = ["Advertisement", "Skip to main content", "Menu  Search  Sign in", "LIVE UPDATES"]
CHROME_BOTTOM = ["Subscribe to our newsletter for the latest news.", "Share this article",
                 "© 2025 All rights reserved.", "Related: more stories from our correspondents"]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 22))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(NAMES))
    if len(words) > 8 and rng.random() < 0.4:
        words[rng.randrange(2, len(words) - 2)] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?")


def story_text(story: int, chars: int) -> tuple[str, list[list[str]]]:
    """The common text of one story: every outlet's copy is drawn from it."""
    rng = random.Random(story)
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 10))).capitalize()
    paragraphs, size = [], 0
    while size < chars * 1.15:
        paragraph = [sentence(rng) for _ in range(rng.randint(2, 5))]
        size += sum(len(s) + 1 for s in paragraph)
        paragraphs.append(paragraph)
    return title, paragraphs


def damaged_copy(story: int, copy: int, chars: int) -> tuple[str, str]:
    """(title, body) of one outlet's copy of ``story``: ~``chars`` characters with some realistic
    damage: site chrome, mojibake, a doubled paragraph, runs of blank lines, typos, stray spaces."""
    title, paragraphs = story_text(story, chars)
    rng = random.Random(story * 1009 + copy)
    kept = [list(p) for p in paragraphs if rng.random() > 0.12]
    body_paragraphs = [" ".join(p) for p in kept]
    while sum(len(p) + 1 for p in body_paragraphs) > chars and len(body_paragraphs) > 2:
        body_paragraphs.pop()
    if rng.random() < 0.3:  # typos
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(body_paragraphs))
            words = body_paragraphs[i].split(" ")
            j = rng.randrange(len(words))
            w = words[j]
            if len(w) > 4 and w.isalpha():
                k = rng.randrange(1, len(w) - 2)
                words[j] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
            body_paragraphs[i] = " ".join(words)
    if rng.random() < 0.2:  # a paragraph printed twice
        i = rng.randrange(len(body_paragraphs))
        body_paragraphs.insert(i + 1, body_paragraphs[i])
    if rng.random() < 0.25:  # stray double spaces
        i = rng.randrange(len(body_paragraphs))
        body_paragraphs[i] = body_paragraphs[i].replace(", ", ",  ", 2)
    separator = "\n\n\n\n" if rng.random() < 0.15 else "\n"
    body = separator.join(body_paragraphs)
    if rng.random() < 0.15:  # mojibake: UTF-8 read as Windows-1252
        body = body.replace("'", "\u2019").replace("\u2019", "\u00e2\u20ac\u2122", 3)
        body += " Caf\u00c3\u00a9 owners said so."
    if rng.random() < 0.3:
        body = rng.choice(CHROME_TOP) + "\n" + body
    if rng.random() < 0.3:
        body = body + "\n" + rng.choice(CHROME_BOTTOM)
    return (title if copy % 3 else title.upper()), body


ARTICLE_NUMBER = itertools.count()
OUTLETS = CONFIG.get("outlets", 24)  # load_bench.py creates these sources before the load


def new_article() -> dict[str, Any]:
    """A fresh article: copies of one story come in groups of ~4 outlets, so stories form."""
    n = next(ARTICLE_NUMBER)
    story, copy = divmod(n, 4)
    title, body = damaged_copy(CONFIG.get("seed", 1) * 1_000_003 + story, copy, CONFIG.get("body_chars", 5000))
    return {"source": f"load-wire-{(story + copy * 7) % OUTLETS:02d}", "external_id": f"{CONFIG.get('run', 'r')}-{n}",
            "title": title, "body": body, "language": "en"}


# --- pacing -----------------------------------------------------------------------------------------

def multiplier(now: float) -> float:
    elapsed = now - STARTED["at"]
    for start, end, factor in CONFIG.get("phases", []):
        if start <= elapsed < end:
            return float(factor)
    return 1.0


class Paced:
    """Like locust's constant_throughput, but the rate follows the config's phases."""

    rate_key = ""
    users_key = ""
    scaled = True

    def wait_time(self) -> float:
        per_user = CONFIG[self.rate_key] / max(CONFIG[self.users_key], 1)
        if self.scaled:
            per_user *= multiplier(time.time())
        interval = 1.0 / per_user
        started = getattr(self, "_task_started", None)
        return interval if started is None else max(0.0, interval - (time.monotonic() - started))

    def stagger(self) -> None:
        rate = CONFIG[self.rate_key] / max(CONFIG[self.users_key], 1)
        time.sleep(random.uniform(0, 1.0 / rate))  # gevent patches time.sleep


TOKENS = itertools.count()


def token_header(pool: str) -> dict[str, str]:
    keys = CONFIG["tokens"][pool]
    return {"Authorization": f"Token {keys[next(TOKENS) % len(keys)]}"}


JSON = {"Content-Type": "application/json"}


class SingleIngest(Paced, FastHttpUser):
    fixed_count = CONFIG.get("single_users", 0)
    rate_key, users_key = "single_rps", "single_users"
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self) -> None:
        self.headers = {**JSON, **token_header("single")}
        self.stagger()

    @task
    def ingest(self) -> None:
        self._task_started = time.monotonic()
        body = json.dumps(new_article())
        with in_flight("ingest_single"):
            self.client.post("/api/v1/articles/", data=body, headers=self.headers, name="ingest_single")


class BatchIngest(Paced, FastHttpUser):
    fixed_count = CONFIG.get("batch_users", 0)
    rate_key, users_key = "batch_rps", "batch_users"
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self) -> None:
        self.headers = {**JSON, **token_header("batch")}
        self.stagger()

    @task
    def ingest_batch(self) -> None:
        self._task_started = time.monotonic()
        body = json.dumps({"articles": [new_article() for _ in range(CONFIG.get("batch_size", 50))]})
        with in_flight("ingest_batch"):
            self.client.post("/api/v1/articles/batch/", data=body, headers=self.headers, name="ingest_batch")


class OverRate(Paced, FastHttpUser):
    fixed_count = CONFIG.get("over_rate_users", 0)
    rate_key, users_key = "over_rate_rps", "over_rate_users"
    network_timeout = connection_timeout = TIMEOUT
    scaled = False

    def on_start(self) -> None:
        self.headers = token_header("over_rate")

    @task
    def list_articles(self) -> None:
        self._task_started = time.monotonic()
        with in_flight("over_rate_client"):
            self.client.get("/api/v1/articles/?page_size=1", headers=self.headers, name="over_rate_client")


EDITORS = itertools.count()
REVISION = re.compile(r'data-revision="(\d+)"')
SUGGESTION = re.compile(r'data-suggestion-id="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Editor(HttpUser):
    """An editor with a logged-in session working through a pool of articles."""

    fixed_count = CONFIG.get("editor_users", 0)

    def wait_time(self) -> float:
        started = getattr(self, "_task_started", None)
        period = CONFIG["editor_period"]
        return period if started is None else max(0.0, period - (time.monotonic() - started))

    def on_start(self) -> None:
        me = CONFIG["editors"][next(EDITORS) % len(CONFIG["editors"])]
        self.username = me["username"]
        self.articles = list(me["articles"])
        self.rng = random.Random(me["username"])
        self.client.cookies.set("sessionid", me["session"])
        time.sleep(random.uniform(0, CONFIG["editor_period"]))

    @task
    def review_and_decide(self) -> None:
        self._task_started = time.monotonic()
        while self.articles:
            article = self.articles[0]
            with in_flight("review_page"):
                page = self.client.get(f"/articles/{article}/", name="review_page", timeout=TIMEOUT)
            if page.status_code != 200:
                return
            ids = SUGGESTION.findall(page.text)
            if ids:
                break
            self.articles.pop(0)  # nothing left to decide here: the next article of the pool
        else:
            with in_flight("queue_page"):  # the pool is used up: look at the queue
                self.client.get("/", name="queue_page", timeout=TIMEOUT)
            return
        revision = REVISION.search(page.text)
        csrf = CSRF.search(page.text)
        if revision is None or csrf is None:
            return
        suggestion = int(self.rng.choice(ids))
        action = "accept" if self.rng.random() < 0.5 else "reject"
        decision = {"editor": self.username, "article": article, "suggestion": suggestion, "action": action,
                    "revision": int(revision.group(1)), "status": None, "at": time.time()}
        DECISIONS.append(decision)  # before sending: a request cut off at the stop stays "unknown"
        with in_flight(f"decide_{action}"):
            response = self.client.post(
                f"/suggestions/{suggestion}/decide/", name=f"decide_{action}", allow_redirects=False,
                timeout=TIMEOUT, data={"csrfmiddlewaretoken": html.unescape(csrf.group(1)),
                                       "revision": revision.group(1), "action": action},
                headers={"HX-Request": "true", "HX-Target": "review",
                         "HX-Current-URL": f"{self.host}/articles/{article}/"},
            )
        decision["status"] = response.status_code
