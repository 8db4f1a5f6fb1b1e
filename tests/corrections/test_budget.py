"""Bounded work per pass (corrections.budget): time budget, limits of suggestions, notices.

No database: run_bounded takes its limits as arguments.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from corrections import budget
from corrections.passes import house_style
from corrections.passes.base import EMPTY_CONTEXT, PassContext, StyleRule
from tests.corrections import marker_pass
from tests.monster import monster_text

LIMITS = budget.Limits(seconds=5.0, per_pass=500, per_article=2000, section_chars=1000)


def paragraphs_text(n: int, word: str = "text") -> str:
    return "\n\n".join(f"Paragraph {i} has some {word} in it." for i in range(1, n + 1))


@pytest.mark.parametrize(("text", "offset", "number"), [
    ("One.\n\nTwo.\nThree.", 0, 1),
    ("One.\n\nTwo.\nThree.", 4, 1),  # the newline closing paragraph 1
    ("One.\n\nTwo.\nThree.", 5, 2),  # the blank line before paragraph 2
    ("One.\n\nTwo.\nThree.", 6, 2),
    ("One.\n\nTwo.\nThree.", 12, 3),
    ("\n\nOne.", 0, 1),
])
def test_paragraph_numbers_count_non_blank_lines(text: str, offset: int, number: int) -> None:
    assert budget.Paragraphs(text).number_at(offset) == number


def test_sections_cover_the_text_exactly_at_line_starts() -> None:
    text = monster_text(50_000)
    paragraphs = budget.Paragraphs(text)
    sections = paragraphs.sections(5_000)
    assert sections[0][0] == 0 and sections[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(sections, sections[1:], strict=False))
    assert all(start in paragraphs.starts for start, _ in sections)
    assert len(sections) > 5


def test_a_text_under_the_section_size_is_one_section() -> None:
    assert budget.Paragraphs("Short.\n\nText.").sections(1000) == [(0, 13)]


@pytest.mark.parametrize(("offset", "words"), [
    (0, "the whole text"),
    (23, "the rest of paragraph 1 and paragraphs 2-4"),
])
def test_unchecked_names_the_paragraphs_left(offset: int, words: str) -> None:
    text = paragraphs_text(4)
    assert budget.unchecked(budget.Paragraphs(text), offset) == words


def test_unchecked_from_a_paragraph_start() -> None:
    text = paragraphs_text(4)
    paragraphs = budget.Paragraphs(text)
    assert budget.unchecked(paragraphs, paragraphs.starts[2]) == "paragraphs 3-4"
    assert budget.unchecked(paragraphs, paragraphs.starts[3]) == "paragraph 4"


def test_pass_within_limits_returns_everything_without_notice() -> None:
    text = paragraphs_text(30, "SLIP")
    run = budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=500, limits=LIMITS)
    assert len(run.suggestions) == 30 and run.notice is None and run.stop_reason == ""
    assert all(text[s.start : s.end] == "SLIP" for s in run.suggestions)  # offsets shifted per section


def test_pass_over_its_limit_keeps_the_first_in_text_order_and_says_where_it_stopped() -> None:
    text = paragraphs_text(30, "SLIP")
    limits = budget.Limits(seconds=5.0, per_pass=10, per_article=2000, section_chars=1000)
    run = budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=10, limits=limits)
    every = marker_pass.run(text, EMPTY_CONTEXT)
    assert run.suggestions == every[:10]
    assert run.stop_reason == "pass_limit"
    notice = run.notice
    assert notice is not None and notice.kind == "notice" and notice.start == notice.end == every[10].start
    assert notice.original == notice.replacement == ""
    assert "stopped after 10 suggestions (the limit per pass is 10)" in notice.explanation
    assert "the rest of paragraph 11 and paragraphs 12-30 not checked for marker" in notice.explanation
    assert run.stored == [*every[:10], notice]


def test_a_smaller_share_of_the_article_says_the_article_limit_stopped_it() -> None:
    text = paragraphs_text(30, "SLIP")
    run = budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=4, limits=LIMITS)
    assert len(run.suggestions) == 4 and run.stop_reason == "article_limit"
    assert run.notice is not None and "its share of the 2,000 suggestions an article may have" in run.notice.explanation


@pytest.mark.parametrize(("remaining", "passes_left", "share"), [
    (2000, 9, 223), (2000, 1, 2000), (5, 9, 1), (0, 3, 0), (-4, 3, 0), (10, 0, 10),
])
def test_fair_share_gives_each_remaining_pass_an_equal_part_rounded_up(remaining: int, passes_left: int,
                                                                        share: int) -> None:
    assert budget.fair_share(remaining, passes_left) == share


def test_no_share_left_means_the_pass_does_not_run_and_says_so() -> None:
    run = budget.run_bounded(marker_pass, "SPIN", EMPTY_CONTEXT, allowance=0, limits=LIMITS)
    assert run.suggestions == [] and run.stop_reason == "article_limit"
    assert run.notice is not None and run.notice.start == 0
    assert "did not run" in run.notice.explanation and "whole text" in run.notice.explanation


def test_suggestions_the_pipeline_refuses_do_not_count_against_the_limit() -> None:
    text = paragraphs_text(30, "SLIP")
    limits = budget.Limits(seconds=5.0, per_pass=10, per_article=2000, section_chars=1000)
    odd = {s.start for s in marker_pass.run(text, EMPTY_CONTEXT)[::2]}
    run = budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=10, limits=limits,
                             keep=lambda s: s.start in odd)
    assert len(run.suggestions) == 10 and all(s.start in odd for s in run.suggestions)


def test_a_pass_that_never_ends_is_stopped_by_its_budget_keeping_the_sections_before() -> None:
    text = paragraphs_text(60, "SLIP") + "\n\nSPIN for ever.\n\n" + paragraphs_text(20)
    limits = budget.Limits(seconds=1.0, per_pass=500, per_article=2000, section_chars=1000)
    started = time.monotonic()
    run = budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=500, limits=limits)
    assert time.monotonic() - started < 3
    assert run.stop_reason == "time" and run.notice is not None
    paragraphs = budget.Paragraphs(text)
    stopped = run.notice.start
    assert stopped in paragraphs.starts and stopped < text.index("SPIN")
    assert [s.start for s in run.suggestions] == [s.start for s in marker_pass.run(text[:stopped], EMPTY_CONTEXT)]
    assert "stopped after 1.0 s, its time budget" in run.notice.explanation
    assert f"paragraphs {paragraphs.number_at(stopped)}-{paragraphs.count} not checked" in run.notice.explanation


def test_a_short_text_that_never_ends_is_stopped_with_nothing_checked() -> None:
    limits = budget.Limits(seconds=0.5, per_pass=500, per_article=2000, section_chars=1000)
    run = budget.run_bounded(marker_pass, "SLIP and SPIN.", EMPTY_CONTEXT, allowance=500, limits=limits)
    assert run.suggestions == [] and run.stop_reason == "time"
    assert run.notice is not None and "the whole text not checked" in run.notice.explanation


def test_a_timeout_lost_where_it_was_raised_is_raised_again() -> None:
    limits = budget.Limits(seconds=0.5, per_pass=500, per_article=2000, section_chars=1000)
    started = time.monotonic()
    run = budget.run_bounded(marker_pass, "SWALLOW this.", EMPTY_CONTEXT, allowance=500, limits=limits)
    assert run.stop_reason == "time" and time.monotonic() - started < 2


def test_the_timer_never_raises_outside_the_pass() -> None:
    with budget.time_limit(0.05, inside=marker_pass.run):
        time.sleep(0.3)  # past the budget, but not inside the pass: nothing is raised here


def test_the_timer_leaves_an_outer_timer_armed_and_its_handler_in_place() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        with budget.time_limit(5.0):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 0.6
        time.sleep(0.8)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_outer_timer_due_first_still_fires_inside_the_limit() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with budget.time_limit(5.0):
            time.sleep(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_outside_the_main_thread_the_budget_is_checked_between_sections() -> None:
    text = paragraphs_text(200, "SLIP")
    limits = budget.Limits(seconds=0.0001, per_pass=500, per_article=2000, section_chars=1000)
    result: list[budget.BoundedRun] = []
    thread = threading.Thread(target=lambda: result.append(
        budget.run_bounded(marker_pass, text, EMPTY_CONTEXT, allowance=500, limits=limits)))
    thread.start()
    thread.join(10)
    assert result and result[0].stop_reason == "time" and result[0].notice is not None


def test_a_real_pass_on_a_monster_keeps_its_first_findings() -> None:
    text = monster_text(300_000)
    context = PassContext(style_rules=(StyleRule(id=1, pattern="Kiev", replacement="Kyiv"),))
    every = house_style.run(text, context)
    limits = budget.Limits(seconds=30.0, per_pass=20, per_article=2000, section_chars=50_000)
    run = budget.run_bounded(house_style, text, context, allowance=20, limits=limits)
    assert len(every) > 20
    assert run.suggestions == every[:20]
    assert run.notice is not None and run.notice.start == every[20].start
