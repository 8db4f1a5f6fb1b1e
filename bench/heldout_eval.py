"""Held-out evaluation: real news articles the passes have never seen, damaged the way copies arrive.

    .venv/bin/python bench/heldout_eval.py [--seed 7] [--stories 40] [--out-dir /tmp/heldout]
    .venv/bin/python bench/heldout_eval.py --base http://127.0.0.1:8000 --token KEY   # live
    .venv/bin/python bench/heldout_eval.py --clean-corpus        # also: every other article, undamaged
    .venv/bin/python bench/heldout_eval.py --show 3              # print three generated copies

MEASUREMENT ONLY. The articles come from ../shared/corpus/wikinews_2019.csv and wikinews_2020.csv
(English Wikinews, CC BY 2.5), read AT RUN TIME. Nothing from the corpus, and nothing derived from it
(texts, names, word lists, patterns), is stored in this repository or used by the passes: the
generated documents and gold edits are written under /tmp only, and the passes are scored on them
exactly as they would be on a new copy arriving over the API. The damage below is written from what
copies in the wild look like (and what the seeds show), not from what the passes happen to catch.

What is generated (seeded, so a run is reproducible):

* ``--stories`` articles are drawn at random; each becomes a story of 3-5 copies from different
  outlets (``source``). A copy is the article normalised the way the seeds are: headline as the first
  line, paragraphs separated by one line break or by one blank line (chosen per story), some outlets
  with curly quotes; an outlet sometimes runs only the first paragraphs, and half the copies drop
  some sentences, so that copies are not verbatim twins. (Real outlets rewrite more than that: the
  story evidence the passes use is stronger here than between true rewrites such as the seeds.)
* Each copy gets a damage profile: ``clean`` (nothing at all), ``near_clean`` (a stray 'Â', one chrome
  line), ``duplicate`` (headline printed twice, repeated paragraphs, a repeated word run), ``blog``
  (blank-line runs, no-break-space lines, trailing spaces, chrome lines at the top and bottom),
  ``mojibake`` (UTF-8 read as Windows-1252 or Latin-1, for some or all non-ASCII characters) and
  ``mt`` (machine translation: names mangled by typing, transliteration and MT-style variants,
  ordinary-word typos, "a"/"an" slips, a repeated word run, house-style spellings if the story has
  them). Outlets with a site footer print it under most of their copies, so per-source learning is
  exercised as articles of that source accumulate.
* Every injected edit is recorded in the seeds-gold format that ../shared/eval/score.py reads, with its
  conventions: a deleted line goes with its line break(s) before it (after it at the top of a copy),
  blank-line runs collapse to one blank line, a mangled name is replaced by the article's spelling.
  Each edit carries a ``note`` naming the damage, so misses can be grouped by cause.

Scoring: offline (default) runs the passes in-process as bench/seeds_offline.py does, with the other
copies of the story as siblings, the starter gazetteer, style rules and boilerplate patterns from
seeds/, and per-source edge-line statistics accumulated in document order (as the pipeline's
EdgeLine table would be). Live (``--base``/``--token``) ingests the copies through the API and lets
score.py poll the running system. Either way the score.py report is printed, followed by the false
positives and misses per category grouped by cause, and the suggestions made on undamaged copies.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSROOM_SHARED", str(ROOT.parent / "shared")))  # e.g. from a worktree
CORPUS = (SHARED / "corpus/wikinews_2019.csv", SHARED / "corpus/wikinews_2020.csv")
SCORE = SHARED / "eval/score.py"
sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- corpus

_DATELINE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d{1,2}, \d{4}$")
_SPACES = re.compile(r"\s+")


@dataclass
class Article:
    key: str
    title: str
    paragraphs: list[str]
    date: str = ""


def load_articles() -> list[Article]:
    """Eligible corpus articles, normalised: dateline dropped, whitespace inside a paragraph
    collapsed. Interviews (question/answer layout), articles in Indic scripts and very short or
    long ones are left out."""
    csv.field_size_limit(10**9)
    out: list[Article] = []
    for path in CORPUS:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text, title = row["text"].replace("\r", ""), _SPACES.sub(" ", row["title"]).strip()
                if "interview" in title.lower() or "((" in text or re.search("[\u0900-\u0dff]", text):
                    continue
                paras = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
                paras = [p for p in paras if p]
                if paras and _DATELINE.match(paras[0]):
                    paras = paras[1:]
                words = sum(len(p.split()) for p in paras)
                if len(paras) < 3 or not 150 <= words <= 1000 or not title:
                    continue
                out.append(Article(row["url"], title, paras, row.get("date", "")))
    return out


# --------------------------------------------------------------------------- documents as chunks


@dataclass
class Chunk:
    """A piece of a generated copy. ``gold`` is None for untouched text, else the edit that
    turns this exact piece back: (replacement, alternatives, category, note, required)."""

    text: str
    gold: tuple[str, tuple[str, ...], str, str, bool] | None = None


def G(text: str, replacement: str, category: str, note: str, alternatives: tuple[str, ...] = (),
      required: bool = True) -> Chunk:
    return Chunk(text, (replacement, alternatives, category, note, required))


@dataclass
class Para:
    chunks: list[Chunk]
    protected: bool = False  # repeated later verbatim / headline: no inline damage
    is_title: bool = False

    def flat(self) -> str:
        return "".join(c.text for c in self.chunks)


def plain_sites(paras: list[Para], pattern: re.Pattern[str], allow_title: bool = False
                ) -> list[tuple[int, int, re.Match[str]]]:
    sites = []
    for pi, p in enumerate(paras):
        if p.protected or (p.is_title and not allow_title):
            continue
        for ci, c in enumerate(p.chunks):
            if c.gold is None:
                sites.extend((pi, ci, m) for m in pattern.finditer(c.text))
    return sites


def splice(paras: list[Para], pi: int, ci: int, start: int, end: int, new: Chunk) -> None:
    c = paras[pi].chunks[ci]
    parts = [Chunk(c.text[:start]), new, Chunk(c.text[end:])]
    paras[pi].chunks[ci : ci + 1] = [x for x in parts if x.text or x.gold is not None]


# --------------------------------------------------------------------------- words and names

_MONTHS_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())
_TITLES = frozenset(
    "mr mrs ms dr prof sir president vice prime minister secretary senator governor mayor "
    "general admiral colonel captain judge justice king queen prince princess pope chief "
    "director chairman spokesman spokeswoman ambassador deputy representative officer "
    "detective sergeant lieutenant commissioner chancellor premier".split())
# Last words that make a capitalised run an organisation, a building or a place, not a person.
_NOT_PERSON_TAIL = frozenset(
    "university college school party committee council court department ministry states "
    "kingdom union force forces army navy airport station express news press day league club "
    "association institute organization organisation bank company corporation group agency office "
    "service services republic islands island county city river sea ocean lake mountains street "
    "road avenue square park hospital centre center museum church cathedral bridge tower hall "
    "house times post journal herald guardian foundation fund trust council assembly parliament "
    "senate congress commission authority police guard team cup championship games olympics "
    "festival awards award prize summit conference war province region district valley coast "
    "bay gulf canal airlines airways railway railways network channel radio television tv "
    "agency programme program project system act law bill treaty agreement accord representatives "
    "constitution".split())
_NOT_GIVEN = frozenset(
    "muslim christian jewish catholic republican democratic democrat labour conservative liberal "
    "socialist communist national federal royal state states united new north south east west".split())
_ADJECTIVE_ENDING = re.compile(r"(?:ish|ese|ic|ics|ian|ians|ans|ists|ers|ions|ity|ism|ment|ern)$")
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass
class Names:
    persons: list[tuple[str, str]] = field(default_factory=list)  # (given, surname)
    others: list[str] = field(default_factory=list)  # single capitalised non-words (places...)


def find_names(article: Article) -> Names:
    """People (two- or three-word capitalised runs) and other proper names of an article, found
    with plain heuristics: capitalised, never written in lower case in the article."""
    text = "\n".join([article.title, *article.paragraphs])
    lower = {m.group().lower() for m in _WORD_TOKEN.finditer(text) if m.group()[0].islower()}

    def is_name_word(w: str) -> bool:
        return (w[0].isupper() and not w.isupper() and w.lower() not in lower
                and w.lower() not in _MONTHS_DAYS and w.lower() not in _TITLES)

    body = "\n".join(article.paragraphs)
    persons: dict[str, str] = {}
    for para in article.paragraphs:
        toks = list(_WORD_TOKEN.finditer(para))
        i = 0
        while i < len(toks):
            run = [toks[i]]
            while (i + len(run) < len(toks) and toks[i + len(run)].group()[0].isupper()
                   and para[run[-1].end() : toks[i + len(run)].start()] == " "):
                run.append(toks[i + len(run)])
            cue = i > 0 and toks[i - 1].group().lower() in _TITLES
            i += len(run)
            words = [m.group() for m in run]
            while words and not is_name_word(words[0]):
                cue = cue or words[0].lower() in _TITLES
                words.pop(0)
            if not 2 <= len(words) <= 3 or not all(is_name_word(w) for w in words):
                continue
            surname = words[-1]
            if surname.lower() in _NOT_PERSON_TAIL or len(surname) < 4 or len(words[0]) < 3:
                continue
            if any("’" in w or "'" in w for w in words) or para[run[-1].end() : run[-1].end() + 1] == "-":
                continue
            given = words[-2].lower()
            if _ADJECTIVE_ENDING.search(surname.lower()) or given in _NOT_GIVEN or given in _NOT_PERSON_TAIL:
                continue
            # a person is named by surname alone after the first mention, or introduced by a title
            alone = re.search(rf"(?<!{re.escape(words[-2])} )(?<![\w-]){re.escape(surname)}(?![\w-])", body)
            if alone or cue:
                persons.setdefault(surname, words[-2])
    # other names: used at least once inside a sentence (so not a capitalised sentence opener),
    # and not an ordinary English word
    words_freq = dictionary()
    inside = set()
    for para in article.paragraphs:
        for m in _WORD_TOKEN.finditer(para):
            before = para[max(0, m.start() - 2) : m.start()]
            if len(before) == 2 and before[1] == " " and (before[0].isalpha() or before[0] == ","):
                inside.add(m.group())
    others = sorted(w for w in inside
                    if len(w) >= 6 and is_name_word(w) and w not in persons and w.isalpha()
                    and w.lower() not in _NOT_PERSON_TAIL and words_freq.get(w.lower(), 0) < 2_000_000
                    and not _ADJECTIVE_ENDING.search(w.lower()))
    return Names(sorted((g, s) for s, g in persons.items()), others)


_dictionary: dict[str, int] | None = None


def dictionary() -> dict[str, int]:
    """English word frequencies (the list symspellpy ships): used only to keep injected typos and
    mangled names from landing on real words, which no checker could be asked to catch."""
    global _dictionary
    if _dictionary is None:
        import symspellpy

        path = Path(symspellpy.__file__).with_name("frequency_dictionary_en_82_765.txt")
        _dictionary = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            w, _, n = line.partition(" ")
            if n.isdigit():
                _dictionary[w] = int(n)
    return _dictionary


_VOWELS = "aeiou"
_KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
    "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv", "g": "fhtb",
    "h": "gjyn", "j": "hkum", "k": "jlim", "l": "kop", "z": "asx", "x": "zcs", "c": "xvd",
    "v": "cbf", "b": "vng", "n": "bmh", "m": "nj",
}
# Transliteration alternatives seen in real name variants (Chaplinsky/Chaplynskyi, Dmitry/Dmytro,
# Zelensky/Zelenskiy, -ov/-off, kh/h, w/v ...), applied one at a time.
_TRANSLIT = (
    ("y", "i"), ("i", "y"), ("sky", "ski"), ("ski", "sky"), ("sky", "skyi"), ("skyy", "sky"),
    ("iy", "y"), ("y", "iy"), ("ov", "off"), ("ev", "eff"), ("j", "y"), ("y", "j"), ("kh", "h"),
    ("h", "kh"), ("ch", "tch"), ("sh", "sch"), ("w", "v"), ("v", "w"), ("ts", "tz"), ("tz", "ts"),
    ("ks", "x"), ("x", "ks"), ("ou", "u"), ("u", "ou"), ("dj", "j"), ("j", "dj"), ("oo", "u"),
    ("ee", "i"), ("c", "k"), ("k", "c"), ("ph", "f"), ("f", "ph"), ("e", "ye"), ("ye", "e"),
    ("ie", "i"), ("q", "k"), ("mm", "m"), ("m", "mm"), ("ll", "l"), ("l", "ll"), ("ai", "ay"),
    ("ay", "ai"), ("ei", "ey"), ("a", "ah"), ("u", "oo"), ("s", "z"), ("z", "s"), ("g", "gh"),
)


def _one_edit(rng: random.Random, low: str, keep_first: bool = True) -> str:
    lo = 1 if keep_first else 0
    if len(low) - lo < 2:
        return low
    op = rng.choice(["vowel", "vowel", "delete", "double", "undouble", "transpose", "insert", "key"])
    i = rng.randrange(lo, len(low))
    if op == "vowel":
        idx = [k for k in range(lo, len(low)) if low[k] in _VOWELS]
        if idx:
            k = rng.choice(idx)
            return low[:k] + rng.choice([v for v in _VOWELS if v != low[k]]) + low[k + 1 :]
    if op == "delete" and len(low) > 4:
        return low[:i] + low[i + 1 :]
    if op == "double":
        return low[: i + 1] + low[i] + low[i + 1 :]
    if op == "undouble":
        idx = [k for k in range(lo + 1, len(low)) if low[k] == low[k - 1]]
        if idx:
            k = rng.choice(idx)
            return low[:k] + low[k + 1 :]
    if op == "transpose" and i + 1 < len(low):
        return low[:i] + low[i + 1] + low[i] + low[i + 2 :]
    if op == "insert":
        return low[:i] + rng.choice(_VOWELS) + low[i:]
    if op == "key" and low[i] in _KEYBOARD:
        return low[:i] + rng.choice(_KEYBOARD[low[i]]) + low[i + 1 :]
    return low[:i] + low[i + 1 :] if len(low) > 4 else low[:i] + low[i] + low[i:]


def _sound_edit(rng: random.Random, low: str, keep_first: bool) -> str:
    """One spelling change that keeps the sound roughly (what machine translation and
    transliteration do to a name, unlike typing): another vowel, a letter doubled or undoubled,
    a vowel dropped or added between consonants, or a transliteration rule."""
    lo = 1 if keep_first else 0
    op = rng.choice(["vowel", "vowel", "translit", "translit", "double", "drop", "insert"])
    if op == "vowel":
        idx = [k for k in range(lo, len(low)) if low[k] in _VOWELS + "y"]
        if idx:
            k = rng.choice(idx)
            return low[:k] + rng.choice([v for v in _VOWELS + "y" if v != low[k]]) + low[k + 1 :]
    if op == "translit":
        options = [(a, b, m.start()) for a, b in _TRANSLIT for m in re.finditer(re.escape(a), low)
                   if m.start() >= lo]
        if options:
            a, b, at = rng.choice(options)
            return low[:at] + b + low[at + len(a) :]
    if op == "double":
        idx = [k for k in range(max(lo, 1), len(low)) if low[k] not in _VOWELS]
        if idx:
            k = rng.choice(idx)
            if k > 0 and low[k] == low[k - 1]:
                return low[:k] + low[k + 1 :]
            return low[: k + 1] + low[k] + low[k + 1 :]
    if op == "drop":
        idx = [k for k in range(max(lo, 1), len(low) - 1) if low[k] in _VOWELS]
        if idx and len(low) > 4:
            k = rng.choice(idx)
            return low[:k] + low[k + 1 :]
    idx = [k for k in range(max(lo, 1), len(low)) if low[k] not in _VOWELS and low[k - 1] not in _VOWELS]
    if idx:
        k = rng.choice(idx)
        return low[:k] + rng.choice(_VOWELS) + low[k:]
    return _one_edit(rng, low, keep_first)


def mangle_name(rng: random.Random, word: str, how: str) -> str:
    """'edit': a typing slip; 'translit': another transliteration; 'mt': two sound-keeping changes."""
    low = word.lower()
    keep_first = rng.random() < 0.9
    if how == "translit":
        options = [(a, b, m.start()) for a, b in _TRANSLIT for m in re.finditer(re.escape(a), low)
                   if m.start() > 0 or not keep_first]
        if options:
            a, b, at = rng.choice(options)
            low = low[:at] + b + low[at + len(a) :]
        else:
            low = _sound_edit(rng, low, keep_first)
    elif how == "mt":
        low = _sound_edit(rng, _sound_edit(rng, low, keep_first), keep_first)
    else:
        low = _one_edit(rng, low, keep_first)
    return low[:1].upper() + low[1:]


def typo(rng: random.Random, word: str) -> str:
    return _one_edit(rng, word, keep_first=rng.random() < 0.9)


# --------------------------------------------------------------------------- encoding damage


def mojibake(ch: str, mode: str) -> str:
    """``ch`` as UTF-8 bytes read back in a single-byte encoding."""
    data = ch.encode("utf-8")
    if mode == "latin-1":
        return data.decode("latin-1")
    out = []
    for b in data:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: kept as a C1 control, or lost
            if mode == "cp1252":
                out.append(chr(b))
    return "".join(out)


def typographic(text: str) -> str:
    """Curly quotes and apostrophes, as many outlets print them."""
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r"(?:^|(?<=[\s(\[—–-]))'", "‘", text)
    text = text.replace("'", "’")
    text = re.sub(r'(?:^|(?<=[\s(\[—–-]))"(?![\s.,;:!?)]|$)', "“", text)
    return text.replace('"', "”")


# --------------------------------------------------------------------------- chrome

OUTLETS = (
    # slug, display name, curly quotes
    ("harbour-times", "Harbour Times", True),
    ("daily-ledger", "The Daily Ledger", False),
    ("meridian-post", "Meridian Post", True),
    ("northline-news", "Northline News", True),
    ("pacific-wire", "Pacific Wire", False),
    ("capital-courier", "Capital Courier", True),
    ("valley-observer", "Valley Observer", False),
    ("global-dispatch", "Global Dispatch", True),
)
# Site footers that an outlet prints under (nearly) every article it publishes.
DEV_FOOTERS = {
    "harbour-times": ("© {year} Harbour Times Media Ltd. All rights reserved.",),
    "meridian-post": ("Meridian Post — independent journalism since 1987", "Support us: become a Meridian member"),
    "northline-news": ("Got a news tip? Write to newsdesk@northline.example",),
    "pacific-wire": ("Follow Pacific Wire on Telegram for live updates",),
    "valley-observer": ("Valley Observer is funded by its readers. Become a member today.",),
}

CHROME_TOP = (
    "Skip to content", "Home » World", "Home » News » {section}", "Home / News / {section}",
    "Advertisement", "Listen to this article", "{n} min read", "Share", "Menu", "Breaking News",
    "Sign in", "Subscribe", "Trending", "ADVERTISEMENT",
)
CHROME_BOTTOM = (
    "Share this:", "Share on Facebook", "Share on X (Twitter)", "Facebook Twitter WhatsApp Email",
    "Click to share on Facebook (Opens in new window)", "Like this:", "Loading...", "Related",
    "Related Posts", "Related Articles", "You may also like", "Read more: {headline}",
    "Also read: {headline}", "Tags: {tag1}, {tag2}", "Filed under: {section}",
    "Posted by admin at {clock}", "Labels: {section}, {tag1}", "0 Comments", "{n} Comments",
    "Post a Comment", "Leave a Reply", "Leave a comment", "Cancel reply",
    "Your email address will not be published. Required fields are marked *",
    "Newer Post Older Post Home", "Previous Post Next Post", "Previous article", "Next article",
    "Subscribe to: Post Comments (Atom)", "Subscribe to our newsletter",
    "Sign up for our daily newsletter", "Get the latest news delivered to your inbox",
    "Follow us on Twitter", "Follow us on Google News", "Join our WhatsApp channel",
    "Download our app", "Copyright © {year} {outlet}", "All rights reserved.", "Report an error",
    "Comments", "Print", "Trending Now", "Most Read", "Recommended for you", "Don't miss",
    "Advertisement", "Continue reading", "Show comments", "Write a comment",
)
# A second, separately written set of chrome lines and outlet footers, not looked at while fixing
# the passes (``--chrome holdout``): the honest check that boilerplate recall is not tuned to the
# phrasings above.
HOLDOUT_TOP = (
    "Jump to navigation", "Toggle navigation", "You are here: Home › {section}", "Log in / Register",
    "Accessibility links", "Newsletter", "Live TV", "Most Popular", "Search for:", "Open menu",
)
HOLDOUT_BOTTOM = (
    "Share via Email", "Share this article", "Share this story", "Tweet", "Pin it",
    "Email this article", "Print this page", "Comments are closed.", "Sort by: Newest",
    "Join the conversation", "Please log in to comment", "Discover more from {outlet}",
    "Subscribe to get the latest posts sent to your email.", "Type your email…",
    "Continue reading on the app", "Sponsored Content", "Promoted Stories", "More from {section}",
    "Up next", "Watch: {headline}", "Top Stories", "Related Topics", "Related Coverage",
    "Back to top", "About Us | Contact | Privacy Policy", "Terms of Service", "Cookie Settings",
    "We use cookies to ensure you get the best experience on our website.",
    "This article originally appeared on {outlet}.",
    "Want more stories like this? Sign up for our newsletter.",
    "If you value our journalism, please consider supporting us.", "{outlet} on Facebook",
    "Follow {outlet} on Instagram", "Reader comments", "Add a comment", "Leave your comment",
)
HOLDOUT_FOOTERS = {
    "harbour-times": ("Harbour Times is part of the Coastline Media Group",),
    "meridian-post": ("Meridian Post: news you can trust since 1987",),
    "northline-news": ("Northline News | Editorial standards | Contact the newsroom",),
    "pacific-wire": ("Pacific Wire Ltd, 12 Wharf Road, Port Nelson",),
    "valley-observer": ("Download the Valley Observer app for iOS and Android",
                        "Valley Observer — Reporting for the valley since 1921"),
}
CHROME_SETS = {"dev": (CHROME_TOP, CHROME_BOTTOM, DEV_FOOTERS),
               "holdout": (HOLDOUT_TOP, HOLDOUT_BOTTOM, HOLDOUT_FOOTERS)}
CHROME = CHROME_SETS["dev"]

SECTIONS = ("World", "Asia", "Europe", "Africa", "Americas", "Politics", "Science", "Sport",
            "Business", "Health", "Environment", "Crime")


def chrome_line(rng: random.Random, template: str, outlet: str, year: str, headlines: list[str]) -> str:
    section = rng.choice(SECTIONS)
    return template.format(
        section=section, n=rng.randint(2, 48), headline=rng.choice(headlines), year=year,
        tag1=rng.choice(SECTIONS), tag2=rng.choice(SECTIONS), outlet=outlet,
        clock=f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}",
    )


# --------------------------------------------------------------------------- damage per copy

# 'clean' copies from an outlet that prints a footer become 'footer_only': a site's template is on
# every page scraped from it.
PROFILES = ("clean", "near_clean", "duplicate", "blog", "mojibake", "mt")
PROFILE_WEIGHTS = (0.2, 0.14, 0.16, 0.16, 0.14, 0.2)
STYLE_FORMS: tuple[tuple[str, str], ...] = ()  # (house form, old form) from the desk's rules


def load_style_forms() -> tuple[tuple[str, str], ...]:
    from corrections import starter_data

    return tuple((r.replacement, r.pattern) for r in starter_data.load_style_rules())


@dataclass
class Copy:
    story: int
    index: int
    source: str
    outlet: str
    profile: str
    extras: list[str]
    sep: str
    paras: list[Para]  # title first
    top: list[Chunk] = field(default_factory=list)
    after_title: list[Chunk] = field(default_factory=list)
    tail: list[Chunk] = field(default_factory=list)  # repeated paragraphs, chrome at the bottom
    separators: dict[int, Chunk] = field(default_factory=dict)  # before paragraph i (i >= 1)
    trailing: dict[int, Chunk] = field(default_factory=dict)  # after paragraph i
    ending: Chunk = field(default_factory=lambda: Chunk(""))

    def chunks(self) -> list[Chunk]:
        out: list[Chunk] = list(self.top)
        for i, p in enumerate(self.paras):
            if i >= 1:
                out.append(self.separators.get(i, Chunk(self.sep)))
            out.extend(p.chunks)
            if i in self.trailing:
                out.append(self.trailing[i])
            if i == 0:
                out.extend(self.after_title)
        out.extend(self.tail)
        out.append(self.ending)
        return [c for c in out if c.text or c.gold is not None]


def damage_names(rng: random.Random, cp: Copy, names: Names, many: bool) -> None:
    persons = list(names.persons)
    rng.shuffle(persons)
    targets: list[tuple[str, str | None]] = [(s, g) for g, s in persons[: rng.randint(1, 3) if many else 1]]
    if names.others and (not targets or rng.random() < 0.3):
        targets.append((rng.choice(names.others), None))
    taken = {m.group().lower() for p in cp.paras for m in _WORD_TOKEN.finditer(p.flat())}
    words = dictionary()
    for surname, given in targets:
        how = rng.choice(["edit", "translit", "mt"])
        variants = []
        for _ in range(20):
            v = mangle_name(rng, surname, how)
            if v != surname and len(v) >= 3 and v.lower() not in words and v.lower() not in taken:
                variants.append(v)
                if len(variants) == 2:
                    break
        if not variants:
            continue
        pat = re.compile(rf"(?<![\w-]){re.escape(surname)}(?![\w-])")
        sites = plain_sites(cp.paras, pat, allow_title=True)
        share = 0.85 if many else 0.0
        chosen = [s for s in sites if rng.random() < share] or ([rng.choice(sites)] if sites else [])
        # apply from the last site so that earlier chunk indices stay valid
        for pi, ci, m in sorted(chosen, key=lambda s: (s[0], s[1], s[2].start()), reverse=True):
            v = variants[0] if rng.random() < 0.75 or len(variants) == 1 else variants[1]
            splice(cp.paras, pi, ci, m.start(), m.end(), G(v, surname, "entity", f"name {how}"))
        if given and many and rng.random() < 0.5:
            gpat = re.compile(rf"(?<!\w){re.escape(given)}(?= )")
            gsites = plain_sites(cp.paras, gpat, allow_title=True)
            gv = mangle_name(rng, given, rng.choice(["edit", "translit"]))
            if gsites and gv != given and gv.lower() not in words and gv.lower() not in taken:
                pi, ci, m = rng.choice(gsites)
                splice(cp.paras, pi, ci, m.start(), m.end(), G(gv, given, "entity", "first name variant"))


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])")


def damage_typos(rng: random.Random, cp: Copy, n: int) -> None:
    words = dictionary()
    for _ in range(n):
        sites = [s for s in plain_sites(cp.paras, _LOWER_WORD) if words.get(s[2].group(), 0) >= 100_000]
        if not sites:
            return
        pi, ci, m = rng.choice(sites)
        w = m.group()
        for _ in range(10):
            t = typo(rng, w)
            if t != w and t not in words:
                splice(cp.paras, pi, ci, m.start(), m.end(), G(t, w, "spelling", "typo"))
                break


_ARTICLE_SITE = re.compile(r"(?<=[a-z,;] )(a|an) ([a-z]{3,})(?=[ ,.;:])")


def damage_articles(rng: random.Random, cp: Copy, n: int) -> None:
    for _ in range(n):
        sites = []
        for pi, ci, m in plain_sites(cp.paras, _ARTICLE_SITE):
            art, word = m.group(1), m.group(2)
            if art == "a" and word[0] in "bcdfgjklmnpqrstvz":
                sites.append((pi, ci, m, "an"))
            elif art == "an" and word[0] in "aeio" and not word.startswith(("one", "once", "eu")):
                sites.append((pi, ci, m, "a"))
        if not sites:
            return
        pi, ci, m, wrong = rng.choice(sites)
        splice(cp.paras, pi, ci, m.start(), m.end(),
               G(f"{wrong} {m.group(2)}", m.group(0), "grammar", f"'{m.group(1)}' written '{wrong}'"))


_RUN_SITE = re.compile(r"(?<![\w'’-])[a-z]+(?: [a-z]+){0,2}(?= )")


def damage_word_run(rng: random.Random, cp: Copy) -> None:
    sites = [s for s in plain_sites(cp.paras, _RUN_SITE)]
    rng.shuffle(sites)
    for pi, ci, m in sites:
        words = m.group().split()
        n = rng.randint(1, len(words))
        run = " ".join(words[:n])
        if n == 1 and (len(run) < 3 or run in ("had", "that")):
            continue
        end = m.start() + len(run)
        splice(cp.paras, pi, ci, m.start(), end, G(f"{run} {run}", run, "duplicate", f"word run x{n}"))
        return


def damage_mojibake(rng: random.Random, cp: Copy, everything: bool) -> int:
    mode = rng.choice(["cp1252", "cp1252", "cp1252", "latin-1", "cp1252-drop"])
    sites = plain_sites(cp.paras, re.compile(r"[^\x00-\x7f]"), allow_title=True)
    if not sites:
        return 0
    if not everything:
        sites = rng.sample(sites, min(len(sites), rng.randint(1, 4)))
    twice = rng.random() < 0.05
    for pi, ci, m in sorted(sites, key=lambda s: (s[0], s[1], s[2].start()), reverse=True):
        bad = mojibake(m.group(), mode)
        if twice:
            bad = "".join(mojibake(c, "cp1252") for c in bad)
        if bad == m.group() or not bad:
            continue
        splice(cp.paras, pi, ci, m.start(), m.end(), G(bad, m.group(), "encoding", f"mojibake {mode}"))
    return len(sites)


def damage_stray_a(rng: random.Random, cp: Copy) -> None:
    body = [i for i, p in enumerate(cp.paras) if not p.protected and not p.is_title]
    if not body:
        return
    where = rng.choice(["end", "space", "sentence"])
    if where == "end":
        i = rng.choice(body)
        if i not in cp.trailing:
            cp.paras[i].chunks.append(G("Â", "", "encoding", "stray Â at end of line"))
            return
    pat = re.compile(r"(?<=[a-z,]) (?=[a-z])") if where == "space" else re.compile(r"(?<=[a-z]\.) (?=[A-Z])")
    sites = plain_sites(cp.paras, pat)
    if sites:
        pi, ci, m = rng.choice(sites)
        nbsp = "\xa0" if rng.random() < 0.5 else " "
        # 'Â' + the no-break space it came with: only the 'Â' is damage
        c = cp.paras[pi].chunks[ci]
        parts = [Chunk(c.text[: m.start()]), G("Â", "", "encoding", f"stray Â before {'nbsp' if nbsp != ' ' else 'space'}"),
                 Chunk(nbsp + c.text[m.end() :])]
        cp.paras[pi].chunks[ci : ci + 1] = [x for x in parts if x.text or x.gold is not None]


def damage_separators(rng: random.Random, cp: Copy, share: float) -> None:
    for i in range(1, len(cp.paras)):
        if rng.random() >= share:
            continue
        if cp.sep == "\n\n":
            bad = rng.choice(["\n\n\n", "\n\n\n", "\n\n\n\n", "\n\n\xa0\n\n", "\n\xa0\n", "\n \n\n",
                              "\n\n\xa0\n\n\n", "\n\n \n"])
            cp.separators[i] = G(bad, "\n\n", "whitespace", "blank run / nbsp line", ("\n",))
        else:
            bad = rng.choice(["\n\n\n", "\n\n\n\n", "\n\xa0\n", "\n \n", "\n\n\xa0\n\n"])
            cp.separators[i] = G(bad, "\n", "whitespace", "blank run / nbsp line", ("\n\n",))


def damage_trailing(rng: random.Random, cp: Copy, n: int) -> None:
    body = [i for i, p in enumerate(cp.paras) if i not in cp.trailing and not p.chunks[-1].gold]
    for i in rng.sample(body, min(n, len(body))):
        cp.trailing[i] = G(rng.choice([" ", "  ", "\xa0", " \xa0", "   "]), "", "whitespace", "trailing spaces")


def add_chrome(rng: random.Random, cp: Copy, top: int, bottom: int, year: str, headlines: list[str]) -> None:
    for t in rng.sample(CHROME[0], top):
        line = chrome_line(rng, t, cp.outlet, year, headlines)
        if rng.random() < 0.5 or cp.top:
            cp.top.append(G(line + cp.sep, "", "boilerplate", "chrome top"))
        else:
            cp.after_title.append(G(cp.sep + line, "", "boilerplate", "chrome below headline"))
    for t in rng.sample(CHROME[1], bottom):
        line = chrome_line(rng, t, cp.outlet, year, headlines)
        cp.tail.append(G(cp.sep + line, "", "boilerplate", "chrome bottom"))


def damage_duplicates(rng: random.Random, cp: Copy) -> None:
    if rng.random() < 0.7:
        cp.paras[0].protected = True
        gap = cp.sep if rng.random() < 0.7 else "\n\n"
        cp.after_title.insert(0, G(gap + cp.paras[0].flat(), "", "duplicate", "headline twice"))
    body = list(range(1, len(cp.paras)))
    if rng.random() < 0.6 and len(body) >= 3:
        k = rng.randint(2, min(6, len(body) - 1))
        for i in body[-k:]:
            cp.paras[i].protected = True
        for i in body[-k:]:
            cp.tail.append(G(cp.sep + cp.paras[i].flat(), "", "duplicate", f"last {k} paragraphs repeated"))
    else:
        i = rng.choice(body)
        cp.paras[i].protected = True
        # repeated right below itself: inserted as the separator-plus-copy after paragraph i
        rep = G(cp.sep + cp.paras[i].flat(), "", "duplicate", "paragraph repeated below itself")
        cp.paras[i].chunks.append(rep)
    if rng.random() < 0.3:
        damage_word_run(rng, cp)


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _drop_sentences(rng: random.Random, para: str) -> str:
    sentences = _SENTENCE_SPLIT.split(para)
    if len(sentences) < 2:
        return para
    kept = [x for k, x in enumerate(sentences) if k == 0 or rng.random() >= 0.15]
    return " ".join(kept)


def make_copy(rng: random.Random, story: int, index: int, art: Article, names: Names, sep: str,
              outlet: tuple[str, str, bool], profile: str, year: str,
              headlines: list[str]) -> Copy:
    slug, display, curly = outlet
    footer = CHROME[2].get(slug, ())
    paras_text = [art.title, *art.paragraphs]
    if profile not in ("clean", "footer_only") and rng.random() < 0.15 and len(paras_text) > 5:
        paras_text = paras_text[: max(4, int(len(paras_text) * rng.uniform(0.6, 0.9)))]
    if rng.random() < 0.5:
        # outlets cut copy: some sentences are dropped, so the copies are not verbatim twins
        paras_text = [paras_text[0]] + [p for p in (_drop_sentences(rng, p) for p in paras_text[1:]) if p]
    if curly:
        paras_text = [typographic(p) for p in paras_text]
    paras = [Para([Chunk(t)], is_title=i == 0) for i, t in enumerate(paras_text)]
    cp = Copy(story, index, f"heldout-{slug}", display, profile, [], sep, paras)
    if rng.random() < 0.3:
        cp.ending = Chunk("\n")
    # House style: the desk's rules apply in every copy; MT copies bring the old spellings back.
    for house, old in STYLE_FORMS:
        pat = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
        for pi, ci, m in reversed(plain_sites(cp.paras, pat, allow_title=True)):
            splice(cp.paras, pi, ci, m.start(), m.end(), G(old, house, "style", "house style in source"))
    if profile == "clean":
        return cp
    extras: list[str] = []
    if profile == "footer_only":
        for line in footer:
            cp.tail.append(G(cp.sep + line.format(year=year), "", "boilerplate", "outlet footer"))
        return cp
    if profile == "duplicate":
        damage_duplicates(rng, cp)
    if profile == "mt":
        for house, old in STYLE_FORMS:
            pat = re.compile(rf"(?<!\w){re.escape(house)}(?!\w)")
            for pi, ci, m in reversed(plain_sites(cp.paras, pat, allow_title=True)):
                splice(cp.paras, pi, ci, m.start(), m.end(), G(old, house, "style", "house style undone"))
        damage_names(rng, cp, names, many=True)
        damage_typos(rng, cp, rng.randint(0, 2))
        damage_articles(rng, cp, rng.choice([0, 1, 1, 2]))
        if rng.random() < 0.5:
            damage_word_run(rng, cp)
    elif rng.random() < 0.25:
        extras.append("name typo")
        damage_names(rng, cp, names, many=False)
    if profile != "mt" and rng.random() < 0.15:
        extras.append("typo")
        damage_typos(rng, cp, 1)
    if profile == "mojibake":
        if not damage_mojibake(rng, cp, everything=rng.random() < 0.6):
            damage_stray_a(rng, cp)
        if rng.random() < 0.3:
            damage_stray_a(rng, cp)
    if profile == "near_clean":
        if rng.random() < 0.7:
            damage_stray_a(rng, cp)
        else:
            damage_mojibake(rng, cp, everything=False)
    if profile == "blog":
        damage_separators(rng, cp, rng.uniform(0.3, 1.0))
        damage_trailing(rng, cp, rng.randint(0, 3))
        add_chrome(rng, cp, top=rng.choice([0, 0, 1, 2]), bottom=rng.randint(2, 5), year=year, headlines=headlines)
        if rng.random() < 0.5:
            cp.ending = G(rng.choice(["\n\n\n", "\n \n", "\n\n\xa0\n"]), "", "whitespace", "blank run at end", ("\n",))
    elif profile == "near_clean":
        add_chrome(rng, cp, top=0, bottom=1, year=year, headlines=headlines)
    elif profile != "mt" and rng.random() < 0.2:
        extras.append("chrome")
        add_chrome(rng, cp, top=0, bottom=rng.randint(1, 2), year=year, headlines=headlines)
    if profile in ("duplicate", "mojibake") and rng.random() < 0.2:
        extras.append("whitespace")
        damage_separators(rng, cp, 0.2)
    if footer and rng.random() < 0.95:
        for line in footer:
            cp.tail.append(G(cp.sep + line.format(year=year), "", "boilerplate", "outlet footer"))
    cp.extras = extras
    return cp


# --------------------------------------------------------------------------- building the set


def build_set(seed: int, n_stories: int, out_dir: Path, articles: list[Article]) -> dict[str, Any]:
    global STYLE_FORMS
    STYLE_FORMS = load_style_forms()
    rng = random.Random(seed)
    chosen = rng.sample(articles, min(n_stories, len(articles)))
    headlines = [a.title for a in articles if a not in chosen]
    docs_dir = out_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    for old in docs_dir.glob("*.txt"):
        old.unlink()
    gold_docs = []
    for s, art in enumerate(chosen):
        names = find_names(art)
        sep = rng.choice(["\n", "\n\n"])
        n = rng.randint(3, 5)
        outlets = rng.sample(OUTLETS, n)
        year = art.key and ("2019" if "2019" in art.key else "2020")
        profiles = rng.choices(PROFILES, PROFILE_WEIGHTS, k=n)
        if all(p == "mt" for p in profiles[1:]) or profiles.count("mt") > 2:
            profiles = [p if p != "mt" or k == 0 else "clean" for k, p in enumerate(profiles)]
        profiles = [("footer_only" if p == "clean" and outlets[k][0] in CHROME[2] else p)
                    for k, p in enumerate(profiles)]
        for k in range(n):
            cp = make_copy(rng, s, k, art, names, sep, outlets[k], profiles[k], year, headlines)
            gold_docs.append(render(cp, art, docs_dir))
    return {"format": "news-correction-gold/1", "generator": f"bench/heldout_eval.py seed={seed}",
            "story_keys": [a.key for a in chosen], "docs": gold_docs}


def render(cp: Copy, art: Article, docs_dir: Path, name: str | None = None) -> dict[str, Any]:
    text_parts, edits, pos = [], [], 0
    for c in cp.chunks():
        if c.gold is not None:
            repl, alts, cat, note, req = c.gold
            edits.append({"start": pos, "end": pos + len(c.text), "original": c.text, "replacement": repl,
                          "alternatives": list(alts), "category": cat, "required": req, "note": note})
        text_parts.append(c.text)
        pos += len(c.text)
    text = "".join(text_parts)
    for e in edits:
        e["before"] = text[max(0, e["start"] - 40) : e["start"]]
        e["after"] = text[e["end"] : e["end"] + 40]
    fname = name or f"s{cp.story:02d}_c{cp.index}_{cp.profile}.txt"
    (docs_dir / fname).write_text(text, encoding="utf-8", newline="")
    return {"file": fname, "source": cp.source, "title": art.title, "language": "en",
            "content_type": "text/plain", "story": cp.story, "profile": cp.profile, "extras": cp.extras,
            "note": f"story {cp.story} copy {cp.index}: {cp.profile}" + (f" + {', '.join(cp.extras)}" if cp.extras else ""),
            "edits": edits}


def build_clean_corpus(out_dir: Path, articles: list[Article], exclude: set[str], group: int) -> dict[str, Any]:
    """Every other eligible article once, undamaged: the false-positive check on clean real text.
    Articles are grouped ``group`` at a time in date order and each group is scored as if it were
    one story, so that the other articles of the same days serve as "siblings": they share the
    names in the news but are not copies, which is where cross-outlet consensus could go wrong."""
    global STYLE_FORMS
    STYLE_FORMS = load_style_forms()
    docs_dir = out_dir / "clean_docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    for old in docs_dir.glob("*.txt"):
        old.unlink()
    rng = random.Random(0)
    docs = []
    pool = sorted((a for a in articles if a.key not in exclude), key=lambda a: (a.date, a.key))
    for k, art in enumerate(pool):
        outlet = OUTLETS[k % len(OUTLETS)]
        cp = make_copy(rng, 900 + k // max(1, group), k % max(1, group), art, Names(),
                       rng.choice(["\n", "\n\n"]), outlet, "clean", "", [])
        cp.source = f"heldout-clean-{k}"
        docs.append(render(cp, art, docs_dir, name=f"clean_{k:03d}.txt"))
    return {"format": "news-correction-gold/1", "docs": docs}


# --------------------------------------------------------------------------- running the passes


def run_offline(gold: dict[str, Any], docs_dir: Path, out: Path, passes: str, with_siblings: bool) -> None:
    from corrections import starter_data
    from corrections.passes.base import BoilerplateProfile, EdgeLineStat, PassContext, SiblingText
    from corrections.passes.boilerplate import edge_lines
    from corrections.passes.contradictions import settle

    # The pipeline marks near-identical copies as echoes from the stored MinHash signatures.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from articles.stories import estimate_similarity, story_signature
    from corrections.echoes import mark_echoes

    signature = lru_cache(maxsize=None)(story_signature)
    from corrections.passes.registry import DEFAULT_PASSES

    wanted = {p for p in passes.split(",") if p}
    modules = [m for m in (importlib.import_module(p) for p in DEFAULT_PASSES) if not wanted or m.NAME in wanted]
    gazetteer = starter_data.load_gazetteer()
    patterns = starter_data.load_boilerplate_patterns()
    rules = starter_data.load_style_rules()
    texts = {d["file"]: (docs_dir / d["file"]).read_text(encoding="utf-8") for d in gold["docs"]}
    by_story: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for d in gold["docs"]:
        by_story[d.get("story", d["file"])].append(d)
    history: dict[str, list[list[tuple[str, str]]]] = defaultdict(list)  # source -> edge lines per article
    timings: dict[str, float] = Counter()
    docs = []
    for d in gold["docs"]:
        text = texts[d["file"]]
        siblings = mark_echoes(text, signature(text), [
            (SiblingText(article_id=i, source=o["source"], text=texts[o["file"]]), signature(texts[o["file"]]))
            for i, o in enumerate(by_story[d.get("story", d["file"])]) if o["file"] != d["file"]
        ], estimate_similarity) if with_siblings else ()
        recent = history[d["source"]][-30:]
        counts: Counter[tuple[str, str]] = Counter(pl for art in recent for pl in set(art))
        stats = tuple(EdgeLineStat(line=line, position=pos, count=n)  # type: ignore[arg-type]
                      for (pos, line), n in sorted(counts.items()) if n >= 2)
        profile = BoilerplateProfile(recent_articles=len(recent), edge_lines=stats, patterns=patterns)
        history[d["source"]].append(edge_lines(text))
        ctx = PassContext(source=d["source"], language="en", title=d["title"], gazetteer=gazetteer,
                          style_rules=rules, siblings=siblings, boilerplate=profile)
        per_pass = []
        for mod in modules:
            t0 = time.perf_counter()
            found = mod.run(text, ctx)
            for s in found:
                assert text[s.start : s.end] == s.original, (mod.NAME, s)
            per_pass.append((mod.NAME, found))
            timings[mod.NAME] += time.perf_counter() - t0
        # What the pipeline leaves pending: contradicting suggestions settled as it settles them.
        suggestions = [{"start": s.start, "end": s.end, "original": s.original,
                        "replacement": s.replacement, "kind": s.kind, "pass": name,
                        "confidence": s.confidence, "explanation": s.explanation,
                        "status": "pending", "revision": 1} for name, s in settle(text, per_pass)]
        docs.append({"file": d["file"], "suggestions": suggestions})
    out.write_text(json.dumps({"docs": docs}, ensure_ascii=False, indent=1), encoding="utf-8")
    slow = ", ".join(f"{k} {v * 1000 / max(1, len(docs)):.0f}" for k, v in sorted(timings.items(), key=lambda kv: -kv[1]))
    print(f"[offline] {len(docs)} docs; ms per doc: {slow}", file=sys.stderr)


def score(gold_path: Path, docs_dir: Path, json_out: Path, offline: Path | None, base: str, token: str,
          timeout: float) -> int:
    cmd = [sys.executable, str(SCORE), "--gold", str(gold_path), "--docs-dir", str(docs_dir), "--json", str(json_out)]
    if offline is not None:
        cmd += ["--offline", str(offline)]
    else:
        cmd += ["--base", base, "--token", token, "--timeout", str(timeout)]
    return subprocess.call(cmd)


# --------------------------------------------------------------------------- reporting

_QUOTED = re.compile(r"'[^']*'|“[^”]*”|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def cause_of(fp: dict[str, Any], explanations: dict[tuple[str, int, int], str]) -> str:
    expl = explanations.get((fp["file"], fp["start"], fp["end"]), "")
    shape = _NUMBER.sub("N", _QUOTED.sub("'…'", expl))[:90]
    return f"{fp.get('pass')}/{fp.get('kind')}: {shape}"


def report(gold: dict[str, Any], score_json: Path, run_file: Path | None, examples: int) -> None:
    res = json.loads(score_json.read_text(encoding="utf-8"))
    gdocs = {d["file"]: d for d in gold["docs"]}
    explanations: dict[tuple[str, int, int], str] = {}
    if run_file is not None and run_file.exists():
        for d in json.loads(run_file.read_text(encoding="utf-8"))["docs"]:
            for s in d["suggestions"]:
                explanations[(d["file"], s["start"], s["end"])] = s.get("explanation", "")
    fps: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    misses: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    clean_sugg: dict[str, list[str]] = defaultdict(list)
    n_clean = 0
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("score", SCORE)
    assert spec and spec.loader
    sc = module_from_spec(spec)
    spec.loader.exec_module(sc)
    for d in res["docs"]:
        g = gdocs[d["file"]]
        is_clean = g.get("profile") in ("clean", "footer_only")
        n_clean += is_clean
        for fp in d["false_positives"]:
            fp = dict(fp, file=d["file"])
            cat = sc.category_of_suggestion(fp)
            line = f"{d['file']}@{fp['start']}: {fp['original']!r} -> {fp['replacement']!r} ({fp.get('confidence')})"
            fps[cat][cause_of(fp, explanations)].append(line)
            if is_clean:
                clean_sugg[cat].append(line)
        notes = {(e["start"], e["original"]): e.get("note", "") for e in g["edits"]}
        for m in d["missed"]:
            note = notes.get((m["start"], m["original"]), "?")
            misses[m["category"]][note].append(f"{d['file']}@{m['start']}: {m['original']!r} -> {m['replacement']!r}")
    w = sys.stdout.write
    w("\n=== false positives by category and cause ===\n")
    for cat in sorted(fps):
        total = sum(len(v) for v in fps[cat].values())
        w(f"[{cat}] {total}\n")
        for cause, items in sorted(fps[cat].items(), key=lambda kv: -len(kv[1])):
            w(f"  {len(items):>3}  {cause}\n")
            for it in items[:examples]:
                w(f"         {it[:170]}\n")
    w("\n=== misses by category and damage ===\n")
    for cat in sorted(misses):
        total = sum(len(v) for v in misses[cat].values())
        w(f"[{cat}] {total}\n")
        for note, items in sorted(misses[cat].items(), key=lambda kv: -len(kv[1])):
            w(f"  {len(items):>3}  {note}\n")
            for it in items[:examples]:
                w(f"         {it[:170]}\n")
    w(f"\n=== copies with undamaged text (clean, footer_only): {n_clean}; unmatched suggestions on them: "
      f"{sum(len(v) for v in clean_sugg.values())} ===\n")
    for cat, items in sorted(clean_sugg.items()):
        w(f"  {cat}: {len(items)}\n")
        for it in items[: max(examples, 3)]:
            w(f"         {it[:170]}\n")
    summary = res["summary"]["categories"]
    w("\n=== issue targets (P >= 0.95 and R >= 0.95) ===\n")
    for cat in ("encoding", "whitespace", "boilerplate", "duplicate"):
        v = summary.get(cat)
        if v:
            w(f"  {cat:<12} P={v['P']:.3f} R={v['R']:.3f} (gold {v['gold']}, suggestions {v['sugg']})\n")
    comb = {"gold": 0, "gold_hit": 0, "sugg": 0, "sugg_hit": 0}
    for cat in ("entity", "style", "spelling", "grammar"):
        for k in comb:
            comb[k] += summary.get(cat, {}).get(k, 0)
    p = comb["sugg_hit"] / comb["sugg"] if comb["sugg"] else 1.0
    r = comb["gold_hit"] / comb["gold"] if comb["gold"] else 1.0
    w(f"  entity+style+spelling+grammar P={p:.3f} R={r:.3f} (gold {comb['gold']}, suggestions {comb['sugg']})\n")


def show(gold: dict[str, Any], docs_dir: Path, n: int, rng: random.Random) -> None:
    for d in rng.sample(gold["docs"], min(n, len(gold["docs"]))):
        text = (docs_dir / d["file"]).read_text(encoding="utf-8")
        print(f"\n######## {d['file']}  source={d['source']}  {d['note']}")
        print(text)
        print("-------- gold")
        for e in d["edits"]:
            print(f"  {e['category']:<11} {e['note']:<28} {e['original'][:60]!r} -> {e['replacement'][:40]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--stories", type=int, default=40)
    ap.add_argument("--out-dir", default="/tmp/heldout")
    ap.add_argument("--passes", default="", help="comma-separated pass names (offline; default all)")
    ap.add_argument("--no-siblings", action="store_true")
    ap.add_argument("--base", default="")
    ap.add_argument("--token", default="")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--clean-corpus", action="store_true", help="also score every other article undamaged")
    ap.add_argument("--clean-group", type=int, default=4,
                    help="clean corpus: articles of neighbouring dates scored together as siblings (1: none)")
    ap.add_argument("--show", type=int, default=0, help="print this many generated copies with their gold")
    ap.add_argument("--examples", type=int, default=2, help="examples per cause in the report")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--chrome", choices=sorted(CHROME_SETS), default="dev",
                    help="which set of chrome lines and outlet footers to inject")
    args = ap.parse_args()

    global CHROME
    CHROME = CHROME_SETS[args.chrome]
    out_dir = Path(args.out_dir)
    if not str(out_dir.resolve()).startswith("/tmp"):
        ap.error("--out-dir must be under /tmp: nothing derived from the corpus is kept in the repo")
    articles = load_articles()
    gold = build_set(args.seed, args.stories, out_dir, articles)
    gold_path = out_dir / "gold.json"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
    docs_dir = out_dir / "docs"
    n_edits = Counter(e["category"] for d in gold["docs"] for e in d["edits"] if e["required"])
    profiles = Counter(d["profile"] for d in gold["docs"])
    print(f"generated {len(gold['docs'])} copies of {args.stories} stories from {len(articles)} eligible "
          f"articles -> {out_dir}\n  profiles {dict(profiles)}\n  required gold edits {dict(n_edits)}")
    if subprocess.call([sys.executable, str(SCORE), "--validate", "--gold", str(gold_path), "--docs-dir", str(docs_dir)]):
        return 2
    if args.show:
        show(gold, docs_dir, args.show, random.Random(args.seed))
    if args.generate_only:
        return 0
    live = bool(args.base and args.token)
    run_file = None if live else out_dir / "run.json"
    if run_file is not None:
        run_offline(gold, docs_dir, run_file, args.passes, not args.no_siblings)
    score_json = out_dir / ("score_live.json" if live else "score.json")
    if score(gold_path, docs_dir, score_json, run_file, args.base, args.token, args.timeout):
        return 1
    report(gold, score_json, run_file, args.examples)
    if args.clean_corpus:
        clean = build_clean_corpus(out_dir, articles, set(gold["story_keys"]), args.clean_group)
        clean_path = out_dir / "clean_gold.json"
        clean_path.write_text(json.dumps(clean, ensure_ascii=False, indent=1), encoding="utf-8")
        cdir = out_dir / "clean_docs"
        crun = None if live else out_dir / "clean_run.json"
        if crun is not None:
            run_offline(clean, cdir, crun, args.passes, args.clean_group > 1)
        cjson = out_dir / ("clean_score_live.json" if live else "clean_score.json")
        print(f"\n##### clean corpus: {len(clean['docs'])} undamaged articles, "
              f"{args.clean_group} articles of neighbouring dates scored as one story")
        if score(clean_path, cdir, cjson, crun, args.base, args.token, args.timeout):
            return 1
        report(clean, cjson, crun, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
