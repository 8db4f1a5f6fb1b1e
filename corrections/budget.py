"""Bounded work per article: every pass runs within a time budget and a number of suggestions.

A monster article (megabytes of text, thousands of slips) must not hang a worker or bury the desk.
``run_bounded`` is the one place a pass is called for a revision (``corrections.pipeline`` calls
it for a first run and for a refresh alike). It enforces, with documented defaults:

- ``NEWSROOM_PASS_TIME_BUDGET`` (10 s): the time one pass may spend on one revision;
- ``NEWSROOM_MAX_SUGGESTIONS_PER_PASS`` (500) and ``NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE``
  (2,000): what one pass, and all passes together, may propose on one revision (the passes share
  the article's limit in equal parts, see :func:`fair_share`, so that none is starved);
- ``NEWSROOM_PASS_SECTION_CHARS`` (100,000): a longer text is handed to the pass section by
  section, each section a run of whole lines.

Whatever a limit leaves out is never dropped silently: the run ends with one *notice*, a
zero-width suggestion of kind ``notice`` anchored where checking stopped, whose explanation says
what was not checked and why ("stopped after 500 spelling suggestions; paragraphs 212-980 not
checked"), and the pass run records the same note. The suggestions kept are always the first ones
in text order, so an editor can work from the top.

How time is bounded, and why passes stay pure. A pass is a pure function: no clock inside it.
Giving it a deadline in its context would be data, but honouring it needs a clock call inside
the pass, makes its output depend on the machine's speed from within, and cannot help when the
pass is stuck inside one long call (a regular expression over megabytes). So time is enforced
from outside, two ways:

1. a text longer than a section is run section by section (whole lines), and the budget is
   checked between sections: work stops at a section boundary, everything before it was checked
   with the pass's full logic, and sectioning also turns a pass that is quadratic in the text into
   one linear in the number of sections. The price: on such texts a pass sees one section at a
   time, so evidence across sections (a paragraph repeated 500 KB later, a name spelt one way in
   the first section and another in the tenth) is not used. No real article comes near 100,000
   characters (a long read is 30,000-60,000);
2. each call is interrupted when the budget runs out: ``signal.setitimer(ITIMER_REAL)`` raises
   :class:`PassTimeout` in the pass's frame. Celery's prefork children run tasks in their main
   thread, where this works; the exception unwinds pure code only (the timer is armed around the
   pass call and nothing else), and the section's partial work is discarded. In another thread
   (a threads pool) signals cannot be used and only the check between sections applies, with the
   task's soft time limit as the last resort.

The result of a run stopped by its budget depends on timing; it is stored once per revision and
pass version like any other, and says that it was stopped.
"""

from __future__ import annotations

import bisect
import dataclasses
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Literal

from django.conf import settings

from corrections.passes import base

NOTICE_KIND = "notice"

StopReason = Literal["", "time", "pass_limit", "article_limit"]


class PassTimeout(BaseException):
    """A pass call ran past its time budget (raised by the timer, inside the pass's frame). A
    BaseException, like KeyboardInterrupt: a pass's own ``except Exception`` does not swallow it."""


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float
    per_pass: int
    per_article: int
    section_chars: int


def limits_from_settings() -> Limits:
    return Limits(
        seconds=float(settings.NEWSROOM_PASS_TIME_BUDGET),
        per_pass=int(settings.NEWSROOM_MAX_SUGGESTIONS_PER_PASS),
        per_article=int(settings.NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE),
        section_chars=int(settings.NEWSROOM_PASS_SECTION_CHARS),
    )


@dataclass(slots=True)
class BoundedRun:
    """What a pass found within its limits, in text order; ``notice`` says what it did not check."""

    suggestions: list[base.Suggestion]
    seconds: float
    stop_reason: StopReason = ""
    stop_note: str = ""
    notice: base.Suggestion | None = None

    @property
    def stored(self) -> list[base.Suggestion]:
        """The suggestions to store: the findings, then the notice when there is one."""
        return [*self.suggestions, self.notice] if self.notice is not None else list(self.suggestions)


def fair_share(remaining: int, passes_left: int) -> int:
    """What the next pass may propose of the article's ``remaining`` suggestions when
    ``passes_left`` passes (this one included) still share them: an equal part, rounded up, so
    that a pass finding little leaves more to the ones after it and every pass gets to run."""
    return -(-max(remaining, 0) // max(passes_left, 1))


# --- paragraphs and sections ------------------------------------------------------------------


class Paragraphs:
    """The text's non-blank lines, numbered from 1 as the review page numbers them."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts: list[int] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                starts.append(pos)
            pos += len(line)
        self.starts = starts

    @property
    def count(self) -> int:
        return len(self.starts)

    def number_at(self, offset: int) -> int:
        """The paragraph holding ``offset`` (or the next one, for an offset between paragraphs)."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return 1 if self.starts else 0
        line_end = self.text.find("\n", self.starts[index])
        if line_end != -1 and offset > line_end and index + 1 < len(self.starts):
            return index + 2
        return index + 1

    def sections(self, size: int) -> list[tuple[int, int]]:
        """The text cut at line starts into spans of about ``size`` characters (a longer line is a
        section of its own); the spans cover the text exactly."""
        if len(self.text) <= size or not self.starts:
            return [(0, len(self.text))]
        cuts = [0]
        for start in self.starts[1:]:
            if start - cuts[-1] >= size:
                cuts.append(start)
        cuts.append(len(self.text))
        return list(zip(cuts, cuts[1:], strict=False))


def unchecked(paragraphs: Paragraphs, offset: int) -> str:
    """What is left from ``offset`` on, for an editor: "paragraphs 212-980", "the rest of
    paragraph 211 and paragraphs 212-980", "the whole text"."""
    if not paragraphs.starts or offset <= paragraphs.starts[0]:
        return "the whole text"
    number, last = paragraphs.number_at(offset), paragraphs.count
    parts = []
    if paragraphs.starts[number - 1] < offset:
        parts.append(f"the rest of paragraph {number:,}")
        number += 1
    if number == last:
        parts.append(f"paragraph {last:,}")
    elif number < last:
        parts.append(f"paragraphs {number:,}-{last:,}")
    return " and ".join(parts) or "nothing"


# --- the timer --------------------------------------------------------------------------------


# After the budget, the timer fires again this often: an exception raised where Python cannot
# propagate it (a finaliser, ``__del__``, run by the garbage collector inside the pass) is lost,
# and the next one stops the pass.
RETRY_SECONDS = 0.1


def _is_inside(frame: FrameType | None, code: CodeType | None) -> bool:
    """Whether ``frame`` runs ``code`` or is called from it (``code`` None: anywhere)."""
    if code is None:
        return True
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


@contextmanager
def time_limit(seconds: float, inside: Callable[..., object] | None = None) -> Iterator[None]:
    """Raise :class:`PassTimeout` after ``seconds`` in the code running then, and again every
    RETRY_SECONDS until the block ends, but only inside a call of ``inside`` (the pass's ``run``):
    never in this module's own bookkeeping. Main thread only; elsewhere a no-op. A timer already
    armed (pytest-timeout's, say) is kept: it still fires on time."""
    if seconds <= 0:
        raise PassTimeout
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    code = getattr(inside, "__code__", None)
    started = time.monotonic()
    deadline = started + seconds
    previous = signal.getsignal(signal.SIGALRM)

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if time.monotonic() < deadline - 0.001:
            if callable(previous):  # the outer timer's turn
                previous(signum, frame)
        elif _is_inside(frame, code):
            raise PassTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    outer, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    if 0 < outer < seconds:  # the outer timer is due first: let it fire (this budget then goes unchecked)
        signal.setitimer(signal.ITIMER_REAL, outer)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)


# --- the bounded run --------------------------------------------------------------------------


def _notice(at: int, explanation: str, evidence: tuple[str, ...]) -> base.Suggestion:
    return base.Suggestion(start=at, end=at, original="", replacement="", kind=NOTICE_KIND, confidence=0.0,
                           explanation=explanation, evidence=evidence)


def _shifted(s: base.Suggestion, offset: int) -> base.Suggestion:
    return dataclasses.replace(s, start=s.start + offset, end=s.end + offset) if offset else s


def run_bounded(
    module: base.PassModule,
    text: str,
    context: base.PassContext,
    *,
    allowance: int,
    limits: Limits,
    keep: Callable[[base.Suggestion], bool] = lambda s: True,
) -> BoundedRun:
    """Run ``module`` on ``text`` within ``limits``, keeping at most ``allowance`` suggestions
    (the pass's share of the article's limit) that ``keep`` accepts, the first ones in text order.

    Never raises for a pass over its budget or limits: the run stops and its notice says so.
    Exceptions of the pass itself propagate.
    """
    name = module.NAME
    started = time.monotonic()
    if allowance <= 0:
        note = (f"The {name} pass did not run: this article already has {limits.per_article:,} suggestions, "
                f"the limit per article, so the whole text is not checked for {name}.")
        return BoundedRun([], 0.0, "article_limit", note,
                          _notice(0, note, (f"NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE = {limits.per_article}",)))
    deadline = started + limits.seconds
    paragraphs = Paragraphs(text)
    found: list[base.Suggestion] = []
    stopped_at: int | None = None
    for start, end in paragraphs.sections(limits.section_chars):
        try:
            with time_limit(deadline - time.monotonic(), inside=module.run):
                section = text if (start, end) == (0, len(text)) else text[start:end]
                raw = module.run(section, context)
        except PassTimeout:
            stopped_at = start
            break
        found.extend(s for s in sorted((_shifted(s, start) for s in raw), key=lambda s: (s.start, s.end))
                     if keep(s))
        if len(found) > allowance:
            break
    seconds = time.monotonic() - started
    if len(found) > allowance:
        cut = found[allowance].start
        kept = [s for s in found if s.start < cut]
        is_article = allowance < limits.per_pass
        limit = limits.per_article if is_article else limits.per_pass
        why = (f"its share of the {limits.per_article:,} suggestions an article may have" if is_article
               else f"the limit per pass is {limits.per_pass:,}")
        note = (f"The {name} pass stopped after {len(kept):,} suggestions ({why}): "
                f"{unchecked(paragraphs, cut)} not checked for {name}.")
        setting = "NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE" if is_article else "NEWSROOM_MAX_SUGGESTIONS_PER_PASS"
        return BoundedRun(kept, seconds, "article_limit" if is_article else "pass_limit", note,
                          _notice(cut, note, (f"{setting} = {limit}",)))
    if stopped_at is not None:
        note = (f"The {name} pass stopped after {seconds:.1f} s, its time budget: "
                f"{unchecked(paragraphs, stopped_at)} not checked for {name}.")
        return BoundedRun(found, seconds, "time", note,
                          _notice(stopped_at, note, (f"NEWSROOM_PASS_TIME_BUDGET = {limits.seconds:g} s",)))
    return BoundedRun(found, seconds)

