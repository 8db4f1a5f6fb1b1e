"""corrections.passes.text_cache: once per text, the least recently used going first, within a
count and a budget of characters."""

from __future__ import annotations

from corrections.passes.text_cache import per_text


def counting(**limits: int):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    @per_text(**limits)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    return length, calls


def test_a_text_is_read_once_while_it_stays_among_the_recent() -> None:
    length, calls = counting(maxsize=2)
    assert [length("a"), length("bb"), length("a")] == [1, 2, 1]
    length("ccc")  # "bb" is the least recently used: it goes
    length("a")
    length("bb")
    assert calls == ["a", "bb", "ccc", "bb"]


def test_the_characters_kept_stay_within_the_budget() -> None:
    length, calls = counting(maxsize=100, budget_chars=10)
    for text in ("x" * 4, "y" * 4, "z" * 4):  # 12 characters: the first goes
        length(text)
    length("y" * 4)
    length("x" * 4)
    assert calls == ["x" * 4, "y" * 4, "z" * 4, "x" * 4]


def test_a_text_beyond_the_limit_is_never_kept() -> None:
    length, calls = counting(max_chars=5)
    length("abcdefgh")
    length("abcdefgh")
    assert calls == ["abcdefgh", "abcdefgh"]
