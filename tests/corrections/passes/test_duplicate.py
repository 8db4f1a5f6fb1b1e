import pytest

from corrections import starter_data
from corrections.passes import duplicate
from corrections.passes.base import (
    EMPTY_CONTEXT,
    BoilerplateProfile,
    PassContext,
    apply_suggestions,
)

PARAGRAPH = (
    "The minister told reporters on Monday that the talks would resume next week in Geneva."
)
OTHER = "Opposition leaders said they had not been consulted about the timing of the talks."


def deleted(text: str, context: PassContext = EMPTY_CONTEXT) -> list[str]:
    return [s.original for s in duplicate.run(text, context)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A headline printed twice.
        ("Talks To Resume In Geneva\n\nTalks To Resume In Geneva\n" + PARAGRAPH,
         ["\n\nTalks To Resume In Geneva"]),
        ("Talks To Resume In Geneva\nMonday, 4 March\nTalks to resume in Geneva",
         ["\nTalks to resume in Geneva"]),
        # A repeated paragraph, exactly and nearly.
        (f"{PARAGRAPH}\n{OTHER}\n{PARAGRAPH}", [f"\n{PARAGRAPH}"]),
        (f"{PARAGRAPH}\n{OTHER}\n{PARAGRAPH.replace('next week', 'next  week,')}",
         [f"\n{PARAGRAPH.replace('next week', 'next  week,')}"]),
        # A short sentence printed twice in a row.
        (f"{PARAGRAPH}\nHe is survived by his wife.\nHe is survived by his wife.\n{OTHER}",
         ["\nHe is survived by his wife."]),
        # A pasted-again block of paragraphs takes its short lines with it, wherever they sit.
        (f"Headline\n{PARAGRAPH}\nHe declined to comment.\n{OTHER}\n{PARAGRAPH}\nHe declined to comment.\n{OTHER}",
         [f"\n{PARAGRAPH}", "\nHe declined to comment.", f"\n{OTHER}"]),
        (f"Headline\n{OTHER}\nA short closing line.\n{PARAGRAPH}\nA short closing line.\n{PARAGRAPH}",
         ["\nA short closing line.", f"\n{PARAGRAPH}"]),
        # Repeated word runs.
        ("It led to a number of number of casualties.", [" number of"]),
        ("The the committee met.", [" the"]),
        ("They had to get to to get to the port.", [" to get to"]),
    ],
)
def test_duplicates_found(text: str, expected: list[str]) -> None:
    assert deleted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # The body's first line repeating the title sent beside it is not damage.
        f"Talks To Resume In Geneva\n{PARAGRAPH}",
        # English that doubles words on purpose, and names.
        "He had had enough. She said that that was all. Sirhan Sirhan appealed.",
        "That is, that is the point; one by one, one by one.",
        # Short lines repeated further down are captions, not headlines.
        f"{PARAGRAPH}\n{OTHER}\nImage: Jane Doe.\nA second caption.\nImage: Jane Doe.\nMore text here.",
        # Two photos of a gallery with one caption; a chant or a three-word line said twice.
        f"Headline\n{PARAGRAPH}\nA line.\n{OTHER}\nStore display in the mall\nStore display in the mall\nEnd.",
        f"Headline\n{PARAGRAPH}\nA line.\n{OTHER}\nYes we can\nYes we can\nThe end.",
        # Short paragraphs may recur; a refrain is not a duplicate.
        f"Headline\n{PARAGRAPH}\nHe declined to comment.\n{OTHER}\nHe declined to comment.",
        # Scripts where repetition is grammatical.
        "वे अलग अलग रास्तों से आए",
        "Scores were 2 2 at half time.",
    ],
)
def test_legitimate_repetition_is_left_alone(text: str) -> None:
    assert deleted(text) == []


def test_chrome_lines_are_left_to_the_boilerplate_pass() -> None:
    context = PassContext(boilerplate=BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns()))
    text = "Share this article with friends\nShare this article with friends\n" + PARAGRAPH
    assert deleted(text, context) == []


def test_title_in_context_does_not_make_the_first_line_a_duplicate() -> None:
    context = PassContext(title="Talks To Resume In Geneva")
    assert deleted(f"Talks To Resume In Geneva\n\n{PARAGRAPH}", context) == []


def test_applying_all_suggestions_gives_intended_text() -> None:
    text = (
        "Talks Resume\n\nTalks Resume\n\n"
        f"{PARAGRAPH}\n\n{OTHER}\n\n{PARAGRAPH}\n\n{OTHER}\n\n"
        "It caused a number of number of delays. It caused a number of number of delays."
    )
    intended = f"Talks Resume\n\n{PARAGRAPH}\n\n{OTHER}\n\nIt caused a number of delays."
    assert apply_suggestions(text, duplicate.run(text, EMPTY_CONTEXT)) == intended


def test_each_repeated_paragraph_is_its_own_suggestion() -> None:
    text = f"{PARAGRAPH}\n{OTHER}\n{PARAGRAPH}\n{OTHER}"
    found = duplicate.run(text, EMPTY_CONTEXT)
    assert [s.original for s in found] == [f"\n{PARAGRAPH}", f"\n{OTHER}"]
    assert all(s.kind == "duplicate" and s.replacement == "" for s in found)
    assert "word for word" in found[0].explanation
