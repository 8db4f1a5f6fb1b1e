import pytest

from corrections import starter_data
from corrections.passes import boilerplate
from corrections.passes.base import (
    BoilerplateProfile,
    EdgeLineStat,
    PassContext,
    SiblingText,
    apply_suggestions,
)

PATTERNS = starter_data.load_boilerplate_patterns()
STARTER = PassContext(boilerplate=BoilerplateProfile(patterns=PATTERNS))


def deleted(text: str, context: PassContext = STARTER) -> list[str]:
    return [s.original for s in boilerplate.run(text, context)]


@pytest.mark.parametrize(
    "line",
    [
        "Post a Comment",
        "Post a Comment (0)",
        "0 Comments",
        "Previous Post Next Post",
        "Advertisement",
        "- ADVERTISEMENT -",
        "Story continues below advertisement",
        "Share this article",
        "Share on Facebook",
        "Facebook Twitter WhatsApp Email",
        "Subscribe to our newsletter",
        "Sign up for our daily newsletter to get the headlines",
        "We use cookies to give you the best experience. By continuing you agree.",
        "Accept all cookies",
        "Read more: Minister resigns after budget row",
        "» Read More",
        "Related articles",
        "You may also like",
        "Follow us on Twitter and Instagram",
        "© 2024 Example Media Ltd. All rights reserved.",
        "Copyright 2023 The Daily Example",
        "Tags: politics, Europe, elections",
        "Skip to main content",
        "Image caption, Rescuers at the scene",
        "Join our WhatsApp channel for updates",
        "Tap to enable notifications",
        "Have your say in the comments below",
        # blog platforms' comment forms, labels, feeds and navigation
        "Cancel reply",
        "Your email address will not be published. Required fields are marked *",
        "Labels: Europe, Health",
        "Subscribe to: Post Comments (Atom)",
        "Newer Post Older Post Home",
        "Share on X (Twitter)",
        "Don't miss",
        "Breaking News",
        # appeals for support
        "Support us: become a member",
        "Become a subscriber today.",
        "Our journalism is funded by readers like you.",
        "Follow Example News on Telegram for live updates",
    ],
)
def test_starter_patterns_match_chrome_lines(line: str) -> None:
    assert boilerplate.matches_chrome(line, PATTERNS)


@pytest.mark.parametrize(
    "line",
    [
        "Comments made by the minister on Monday drew criticism from the opposition.",
        "Subscribers to the service will pay more from January.",
        "The company said it would share the data with regulators.",
        "Cookies were sold at the fair to raise money for the school.",
        "Read more about the plan in the report published on Tuesday, he said.",
        "Copyright law was changed in 2019 after a long campaign.",
        "Follow the money, the prosecutor told the jury.",
        "Next year the summit will be held in Madrid.",
        "(c) any person who assists in the offence",
        "The article was published in Nature on Monday.",
        "Kremlin Hesitation",
        "Posted by the ministry on Twitter, the video shows soldiers",
        "Keep informed, officials urged residents on Sunday.",
        "Join our effort, the mayor said.",
        "More stories about the economy were published on Monday by the ministry.",
        "Breaking news of the deal reached the capital on Monday.",
        "Support us, the protesters chanted outside parliament.",
        "Labels on the bottles were misleading, the court found.",
        "Don't miss the point, the minister said.",
        "Next week the home team plays in Madrid.",
        "The project was funded by readers' donations, she said.",
        "Follow the river on foot for two days to reach the camp.",
    ],
)
def test_starter_patterns_leave_sentences_alone(line: str) -> None:
    assert not boilerplate.matches_chrome(line, PATTERNS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Body of the story.\nPost a Comment", ["\nPost a Comment"]),
        (
            "End of story.\n\n0 Comments\n\nPost a Comment (0)\n\nPrevious Post Next Post",
            ["\n\n0 Comments", "\n\nPost a Comment (0)", "\n\nPrevious Post Next Post"],
        ),
        ("Advertisement\n\nFirst paragraph.", ["Advertisement\n\n"]),
        ("First paragraph.\n\nAdvertisement\n\nSecond paragraph.", ["\n\nAdvertisement"]),
        ("A sentence that mentions comments and cookies.", []),
    ],
)
def test_chrome_lines_are_deleted_with_one_run_of_breaks(text: str, expected: list[str]) -> None:
    assert deleted(text) == expected


def test_applying_all_suggestions_gives_intended_text() -> None:
    text = (
        "Share this article\n\nThe minister resigned on Monday.\n\nAdvertisement\n\n"
        "She denied wrongdoing.\r\n\r\nRead more: Other story\r\nFollow us on X"
    )
    intended = "The minister resigned on Monday.\n\nShe denied wrongdoing."
    assert apply_suggestions(text, boilerplate.run(text, STARTER)) == intended


LONG = "The minister resigned on Monday after a week of protests over the budget in the capital."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # short lines below the first recognised line of the closing block go with it
        (f"{LONG}\nShare this article\nTweet\nPin it\nThe Example Times: news since 1901",
         ["\nShare this article", "\nTweet", "\nPin it", "\nThe Example Times: news since 1901"]),
        # a short line above it is the story's last line
        (f"{LONG}\nShe denied wrongdoing.\nShare this article", ["\nShare this article"]),
        # short lines between recognised lines before the story, and above the headline
        (f"Jump to menu\nMinister Resigns\nListen to this article\nBy our reporter\nAdvertisement\n{LONG}",
         ["Jump to menu\n", "\nListen to this article", "\nBy our reporter", "\nAdvertisement"]),
        # the headline is never taken, and nothing happens without recognised chrome
        (f"Minister Resigns\n{LONG}\nShe denied wrongdoing.\nThanks for reading", []),
    ],
)
def test_short_lines_in_a_chrome_block_go_with_it(text: str, expected: list[str]) -> None:
    assert deleted(text, PassContext(title="Minister resigns", boilerplate=STARTER.boilerplate)) == expected


def test_a_line_the_other_copies_print_is_the_storys() -> None:
    # the story's own short last line, cut off from it by an inline advertisement
    text = f"{LONG}\nAdvertisement\nShe denied wrongdoing."
    sibling = SiblingText(article_id=1, source="other", text=f"{LONG}\nShe denied wrongdoing.")
    context = PassContext(boilerplate=STARTER.boilerplate, siblings=(sibling,))
    assert deleted(text, context) == ["\nAdvertisement"]
    assert deleted(text) == ["\nAdvertisement", "\nShe denied wrongdoing."]


def learned_context(recent: int, stats: dict[tuple[str, str], int], title: str = "") -> PassContext:
    edge = tuple(
        EdgeLineStat(line=line, position=position, count=count)  # type: ignore[arg-type]
        for (position, line), count in stats.items()
    )
    return PassContext(title=title, boilerplate=BoilerplateProfile(recent_articles=recent, edge_lines=edge))


FOOTER = "The Valley Tribune is an independent newsroom since 1901."


@pytest.mark.parametrize(
    ("recent", "count", "position", "flagged"),
    [
        (15, 14, "bottom", True),
        (10, 6, "bottom", True),
        (10, 5, "bottom", False),  # under 60% of recent articles
        (3, 2, "bottom", False),  # too few to be a habit
        (15, 14, "top", False),  # it recurs at the bottom, not the top
    ],
)
def test_learned_edge_lines(recent: int, count: int, position: str, flagged: bool) -> None:
    text = "\n\n".join(f"Paragraph {i} of the story." for i in range(6)) + f"\n\n{FOOTER}"
    key = boilerplate.normalise_line(FOOTER)
    found = boilerplate.run(text, learned_context(recent, {(position, key): count}))
    assert [s.original for s in found] == ([f"\n\n{FOOTER}"] if flagged else [])


def test_learned_explanation_says_how_often() -> None:
    text = f"Story text.\n\n{FOOTER}"
    key = boilerplate.normalise_line(FOOTER)
    (found,) = boilerplate.run(text, learned_context(15, {("bottom", key): 14}))
    assert "ends 14 of the last 15 articles from this source" in found.explanation


@pytest.mark.parametrize(
    ("stories", "sources", "position", "flagged"),
    [
        (3, 2, "bottom", True),
        (7, 5, "bottom", True),
        (2, 2, "bottom", False),  # two other stories can be a coincidence
        (5, 1, "bottom", False),  # one outlet's habit: that is the per-source statistics' call
        (5, 3, "top", False),  # it travels at the bottom, not the top
    ],
)
def test_lines_shared_by_other_stories_and_outlets(stories: int, sources: int, position: str, flagged: bool) -> None:
    text = "\n\n".join(f"Paragraph {i} of the story." for i in range(6)) + f"\n\n{FOOTER}"
    key = boilerplate.normalise_line(FOOTER)
    shared = (EdgeLineStat(line=key, position=position, count=stories, sources=sources),)  # type: ignore[arg-type]
    found = boilerplate.run(text, PassContext(boilerplate=BoilerplateProfile(patterns=PATTERNS, shared_lines=shared)))
    assert [s.original for s in found] == ([f"\n\n{FOOTER}"] if flagged else [])
    if flagged:
        assert f"{stories} other stories from {sources} outlets" in found[0].explanation


def test_learned_datelines_are_not_chrome() -> None:
    text = "Monday, January 7, 2019\n\nStory text."
    key = boilerplate.normalise_line("Monday, January 7, 2019")
    assert boilerplate.run(text, learned_context(5, {("top", key): 5})) == []


@pytest.mark.parametrize(
    ("line", "normalised"),
    [
        ("  » Share  this\xa0story |", "share this story"),
        ("POST A COMMENT\u200b", "post a comment"),
    ],
)
def test_normalise_line(line: str, normalised: str) -> None:
    assert boilerplate.normalise_line(line) == normalised


def test_edge_lines_lists_first_and_last_lines_once() -> None:
    text = "Top one\n\nTop two\n" + "\n".join(f"Body {i}." for i in range(10)) + "\nShare\nShare"
    edges = boilerplate.edge_lines(text)
    assert edges[:5] == [("top", "top one"), ("top", "top two"), ("top", "body 0."),
                         ("top", "body 1."), ("top", "body 2.")]
    assert edges[5:] == [("bottom", "body 7."), ("bottom", "body 8."), ("bottom", "body 9."),
                         ("bottom", "share")]


def test_invalid_pattern_is_skipped() -> None:
    context = PassContext(boilerplate=BoilerplateProfile(patterns=("(unclosed", "advertisement")))
    assert deleted("Story.\n\nAdvertisement", context) == ["\n\nAdvertisement"]
