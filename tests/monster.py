"""A monster article for tests and benchmarks: megabytes of varied news prose with repeated slips.

    from tests.monster import monster_text
    text = monster_text(2_000_000)  # about 2 MB of UTF-8, deterministic for a given size and seed

The prose is built from a small grammar (subjects, verbs, objects, places, times, quotes), so its
sentences vary the way a long wire digest does, and every pass has work: house-style names
("Kiev"), mangled names ("Volodimir Zelanski"), doubled words ("the the"), mojibake ("â€™" for
"’"), a misspelling ("recieved") and varied ones (two letters swapped), "a" before a vowel, doubled spaces and a stray space before punctuation. About one
sentence in five carries one slip, so a 2 MB text holds a few thousand of each. Paragraphs are
separated by a blank line. Nothing here is tuned to the seeds or the evaluation sets.
"""

from __future__ import annotations

import random
import re

SUBJECTS = (
    "The minister", "A spokeswoman for the council", "The prime minister", "Officials in the capital",
    "The union", "Local residents", "The central bank", "Police", "The opposition leader", "Analysts",
    "The regional governor", "A senior diplomat", "The health authority", "Engineers at the plant",
    "The court", "Farmers", "The mayor", "Investors", "The committee", "Teachers",
)
VERBS = (
    "said", "warned", "confirmed", "denied", "announced", "suggested", "argued", "insisted",
    "reported", "acknowledged",
)
CLAIMS = (
    "that talks would resume next week", "that the budget had been cut by a third",
    "that the harbour would reopen after repairs", "that no agreement had been reached",
    "that the storm had damaged hundreds of homes", "that prices were likely to rise again",
    "that the vote would go ahead as planned", "that the strike would continue until Friday",
    "that the new line would carry 40,000 passengers a day", "that the inquiry would report in the spring",
    "that the ceasefire was holding in most areas", "that schools would stay closed on Monday",
    "that the reform had been delayed", "that the convoy had reached the border",
    "that the election result would be challenged", "that exports had fallen for a fourth month",
)
PLACES = (
    "in the capital", "near the border", "at the summit", "in parliament", "outside the court",
    "in the northern region", "at a press conference", "on the state broadcaster", "in a statement",
    "after the meeting",
)
TIMES = (
    "on Monday", "on Tuesday", "late on Wednesday", "on Thursday morning", "on Friday", "at the weekend",
    "earlier this month", "last year", "in March", "overnight",
)
FOLLOW_UPS = (
    "The decision drew criticism from several groups.", "Negotiators are expected to meet again soon.",
    "The figures could not be independently verified.", "Markets reacted calmly to the news.",
    "Critics said the plan did not go far enough.", "Further details were not immediately available.",
    "The move was welcomed by business leaders.", "Emergency services remained on alert.",
    "Turnout was higher than in previous years.", "The government has promised a full review.",
)
QUOTES = (
    "“We will not give up,” she said.", "“This is a difficult moment for everyone,” he said.",
    "“Nothing has been decided yet,” an official said.", "“The work is far from over,” the report said.",
    "“We expect an answer within days,” a spokesman said.",
)

SLIPS = (
    "kiev", "zelanski", "doubled", "mojibake", "misspelling", "typo", "article", "spaces", "space_before_comma",
)
ARTICLE_SLIPS = (
    "The council approved a increase in fees", "The report found a error in the figures",
    "Officials described it as a important step", "The court heard a appeal from the company",
)


def _sentence(rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape == 0:
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAIMS)} {rng.choice(TIMES)}."
    if shape == 1:
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)} {rng.choice(CLAIMS)}."
    if shape == 2:
        return rng.choice(FOLLOW_UPS)
    return rng.choice(QUOTES)


def _slip(sentence: str, slip: str, rng: random.Random) -> str:
    if slip == "kiev":
        return f"Officials in Kiev {rng.choice(VERBS)} {rng.choice(CLAIMS)}."
    if slip == "zelanski":
        return f"President Volodimir Zelanski {rng.choice(VERBS)} {rng.choice(CLAIMS)} {rng.choice(TIMES)}."
    if slip == "doubled":
        return sentence.replace(" the ", " the the ", 1) if " the " in sentence else "The the " + sentence[0].lower() + sentence[1:]
    if slip == "mojibake":
        return f"The council’s plan {rng.choice(VERBS)} nothing, officials said.".replace("’", "â€™")
    if slip == "misspelling":
        return f"The ministry recieved {rng.randrange(2, 90)} complaints {rng.choice(TIMES)}."
    if slip == "typo":
        return _typo(sentence, rng)
    if slip == "article":
        return f"{rng.choice(ARTICLE_SLIPS)} {rng.choice(TIMES)}."
    if slip == "spaces":
        return sentence.replace(" ", "  ", 1)
    return sentence.replace(" said", " said ,", 1) if " said" in sentence else sentence


def _typo(sentence: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside one long lower-case word: varied misspellings."""
    words = [m for m in re.finditer(r"\b[a-z]{6,}\b", sentence)]
    if not words:
        return sentence
    word = rng.choice(words)
    i = word.start() + rng.randrange(1, len(word.group()) - 2)
    return sentence[:i] + sentence[i + 1] + sentence[i] + sentence[i + 2 :]


def monster_text(size: int = 2_000_000, *, seed: int = 13, slip_rate: float = 0.2) -> str:
    """About ``size`` bytes of UTF-8 prose (never more), paragraphs of 3-6 sentences, with one
    slip in about ``slip_rate`` of the sentences. The same arguments always give the same text."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while True:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            sentence = _sentence(rng)
            if rng.random() < slip_rate:
                sentence = _slip(sentence, rng.choice(SLIPS), rng)
            sentences.append(sentence)
        paragraph = " ".join(sentences)
        cost = len(paragraph.encode("utf-8")) + 2
        if total + cost > size:
            break
        paragraphs.append(paragraph)
        total += cost
    return "\n\n".join(paragraphs)
