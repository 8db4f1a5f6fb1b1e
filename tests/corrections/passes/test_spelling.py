"""Spelling: ordinary words only, one clearly best candidate, names and variants left alone."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrections.passes import spelling
from corrections.passes.base import (
    Alias,
    Entity,
    GazetteerSnapshot,
    PassContext,
    SiblingText,
    apply_suggestions,
    drop_overlaps,
)

EMPTY = PassContext()


def pairs(text: str, context: PassContext = EMPTY) -> list[tuple[str, str]]:
    return [(s.original, s.replacement) for s in spelling.run(text, context)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Macron called Putin a hunter and an oogre at our door.", [("oogre", "ogre")]),
        ("The goverment said on Monday it would act.", [("goverment", "government")]),
        ("Officials did not recieve the letter.", [("recieve", "receive")]),
        ("The incident occured late on Tuesday.", [("occured", "occurred")]),
        ("It was the begining of the end.", [("begining", "beginning")]),
        ("They will accomodate the visitors.", [("accomodate", "accommodate")]),
        ("The probelm remains unsolved.", [("probelm", "problem")]),
        ("It is a disaster that noone can stop.", [("noone", "no one")]),
        ("The minister's spokeman declined to comment.", [("spokeman", "spokesman")]),
        # an ending added without dropping the stem's e, a British digraph where none belongs
        ("Talks includeed the border question.", [("includeed", "included")]),
        ("Nobody expects them to achievae much.", [("achievae", "achieve")]),
    ],
)
def test_misspelt_ordinary_words_are_corrected(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "word",
    [
        # British spellings
        "materialised", "sceptical", "defence", "programme", "organisation", "colour", "centre",
        "catalogue", "travelled", "analyse", "manoeuvre", "judgement", "fertiliser",
        "paediatrician", "foetuses", "anaesthetists", "refereed", "canoed", "agreeing",
        # American spellings the British-leaning dictionary lacks
        "skepticism", "airplane", "traveled", "favorite", "jewelry", "offense", "labor",
        # inflections, derivations and compounds the dictionary lacks
        "lockdowns", "livestreamed", "tweeted", "reelected", "hooved", "unpalatably",
        "cyberattacks", "eurozone", "headways", "stopped", "planning", "counterattacks",
        # foreign or technical words that differ from an English word only at an edge
        "improv", "anoxic",
    ],
)  # fmt: skip
def test_valid_words_are_left_alone(word: str) -> None:
    assert pairs(f"They said the {word} was fine.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Finnish President Alexander Stub met Zelanski in Kyiv.",  # names are capitalised
        "Goverment officials met.",  # a capital at the start of a sentence may be a name
        "The GOVERMENT acronym.",
        "The goverment2 account and goverment_x handle.",
        "See https://goverment.example.com/recieve today.",
        "Write to recieve@example.com or @recieve.",
        "The goverment and the goverment again.",  # used twice: a term, not a slip
        "Hay muchos abortos pese a la amenaza penal en esta sociedad.",
        "The corals Porites cylindrica and P. cyclindrica were studied.",
        "The café in São Paulo served açaí.",
        "A cat sat.",
    ],
)
def test_names_codes_and_foreign_words_are_left_alone(text: str) -> None:
    assert pairs(text) == []


def test_words_the_gazetteer_knows_are_left_alone() -> None:
    gazetteer = GazetteerSnapshot(
        version=3,
        entities=(Entity(id=1, name="Goverment Watch", type="organisation", aliases=(Alias("recieve"),)),),
    )
    context = PassContext(gazetteer=gazetteer)
    assert pairs("The goverment watch group did not recieve it.", context) == []


def test_suppressed_pair_is_not_proposed_again() -> None:
    context = PassContext(suppressed=frozenset({("oogre", "ogre")}))
    assert pairs("an oogre at our door", context) == []


def test_inside_a_quotation_confidence_is_lowered_and_said() -> None:
    (plain,) = spelling.run("He was an oogre at the door.", EMPTY)
    (quoted,) = spelling.run("He said “an oogre at our door” on Tuesday.", EMPTY)
    assert quoted.confidence < plain.confidence
    assert "quotation" in quoted.explanation and "quotation" not in plain.explanation


SIBLINGS = (
    SiblingText(article_id=1, source="a", text="He spoke of the Kyiv ruled by the neo-Nazi regime."),
    SiblingText(article_id=2, source="b", text="A UK-based, top-level, pro-Russian report."),
)


def test_mangled_compound_is_corrected_from_other_outlets() -> None:
    context = PassContext(siblings=SIBLINGS)
    found = spelling.run("claims about the Kyiv ruled by the “Nav-Nazi regime”", context)
    assert [(s.original, s.replacement) for s in found] == [("Nav-Nazi", "neo-Nazi")]
    assert "1 of 2 other outlets" in found[0].explanation


def test_mangled_compound_needs_the_other_outlets() -> None:
    assert pairs("the “Nav-Nazi regime”") == []


STORY = tuple(
    SiblingText(article_id=i, source=f"outlet-{i}", text=t)
    for i, t in enumerate([
        "He said the justice system drove people away, and the rules which apply were old.",
        "Critics said the justice system drove people away. A deal with Iran, which had agreed.",
        "The qubit count rose, and the rules which apply were unclear.",
    ])
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a slip in an edge letter, which the dictionary alone never proposes
        ("Critics said the justicd system failed.", [("justicd", "justice")]),
        # a short word
        ("Some of the rules wich apply are old.", [("wich", "which")]),
        # two dictionary words equally near: the story says which ('drive' is more common)
        ("The justice system drave people away.", [("drave", "drove")]),
        # the other outlets write the unknown word too: a term, not a slip
        ("The qubit count rose.", []),
        # the context keeps its punctuation
        ("It was a deal with Iran, wich had agreed.", [("wich", "which")]),
        ("It was a deal with Iran wich had agreed.", []),
        # no outlet writes this context: the dictionary alone decides, and short words stay
        ("It was wich way.", []),
    ],
)
def test_the_story_settles_slips_in_the_same_words_context(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text, PassContext(source="own", siblings=STORY)) == expected


def test_story_evidence_is_named() -> None:
    [s] = spelling.run("Critics said the justicd system failed.", PassContext(source="own", siblings=STORY))
    assert "2 of 3 other outlets in this story write 'the justice system'" in s.explanation


@pytest.mark.parametrize(
    "text",
    [
        "A Lua-based report.",  # names and acronyms are not spelling
        "A low-level report.",  # English knows "low level"
        "An anti-Russian report.",  # a prefix that forms compounds freely
        "A neo-Nazi group.",  # the same compound
    ],
)
def test_compounds_that_are_english_are_left_alone(text: str) -> None:
    assert pairs(text, PassContext(siblings=SIBLINGS)) == []


def test_applying_all_suggestions_gives_the_intended_text() -> None:
    text = "The goverment said on Monday that it was serious. The probelm, he added, was an oogre."
    result = apply_suggestions(text, spelling.run(text, EMPTY))
    assert result == "The government said on Monday that it was serious. The problem, he added, was an ogre."


def test_several_unknown_words_together_read_as_another_language() -> None:
    assert pairs("the goverment probelm oogre") == []


def test_dictionary_loads_once_and_quickly() -> None:
    started = time.perf_counter()
    first = spelling.load_dictionary()
    assert time.perf_counter() - started < 2.0
    assert spelling.load_dictionary() is first
    assert first.counts["ogre"] > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a letter doubled where English never doubles: before a plural s, after two letters
        ("The officers visited the schoolss of the town.", [("schoolss", "schools")]),
        ("Patients reported problemms on Monday.", [("problemms", "problems")]),
        ("Two factorrs were cited.", [("factorrs", "factors")]),
    ],
)
def test_doubled_letters_that_are_no_inflection_are_corrected(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a British-looking digraph in a common word whose British spelling would be listed
        ("Several poeople were hurt.", [("poeople", "people")]),
        ("They met soeveral times.", [("soeveral", "several")]),
        ("The commounity centre opened.", [("commounity", "community")]),
        # a split into two words that is really a slip of one common word
        ("The governmint said so.", [("governmint", "government")]),
        ("The developmont plan failed.", [("developmont", "development")]),
    ],
)
def test_false_analyses_do_not_hide_slips(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "word",
    [
        "stopped", "equipped", "quizzes", "buses", "kidnapped", "programmed",  # real doubling
        "whiskey", "paediatric", "haemorrhagic", "colourful", "neighbors",  # real variants
        "pushback", "hardline", "lockdowns",  # real closed compounds
    ],
)  # fmt: skip
def test_real_inflections_variants_and_compounds_stay_known(word: str) -> None:
    assert spelling.is_known_word(word)
    assert pairs(f"They said the {word} was fine.") == []


DERIVED_STORY = tuple(
    SiblingText(article_id=i, source=f"outlet-{i}", text=t)
    for i, t in enumerate([
        "They had voted for it. He was elected in May.\nRescuers reached the town.\n"
        'Fans held a "pair of flags" there. UN forces and police came.',
        "They had voted for it in May. He was elected in May and travelled to Rome.\n"
        "Rescuers reached the town.\nUN forces and police came. It may cost nearly 3,500 more.",
    ])
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 'moted' could be mote + -d, but both other outlets write 'had voted for'
        ("They had moted for it.", [("moted", "voted")]),
        # another form of the same word, or another spelling of it, is no slip
        ("He was reelected in May.", []),
        ("He was elected in May and traveled to Rome.", []),
        # a short word at the end of a paragraph, the paragraph edge as its context
        ("Rescuers reached the towm.\nThey left.", [("towm", "town")]),
        # curly and straight quotation marks are the same context
        ("Fans held a “piar of flags” there.", [("piar", "pair")]),
        # an acronym is no genus: 'forcis' is no species epithet
        ("UN forcis and police came.", [("forcis", "forces")]),
        # a number is one token of context, whatever its digits
        ("It may cost nearl 3,000 more.", [("nearl", "nearly")]),
    ],
)
def test_the_story_questions_words_the_dictionary_only_explains(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text, PassContext(source="own", siblings=DERIVED_STORY)) == expected


def test_a_capitalised_common_word_is_no_genus() -> None:
    assert pairs("The camerra was broken on Monday.") == [("camerra", "camera")]
    assert pairs("The corals Porites cylindrica and P. cyclindrica were studied.") == []


def test_the_story_outweighs_signs_of_another_language() -> None:
    sibling = "He waited for a train with the other fans."
    story = (SiblingText(article_id=1, source="a", text=sibling),)
    text = "He waeted for a treain with the othr fans."
    assert ("treain", "train") not in pairs(text)  # unknown words around: maybe another language
    assert ("treain", "train") in pairs(text, PassContext(source="own", siblings=story))


FRAGMENTS = st.sampled_from(
    [
        "oogre", "goverment", "Nav-Nazi", "neo-Nazi", "noone", "the", " ", "\u00a0", "\n", "\r\n",
        "“", "”", "'s", "’", "-", "e\u0301", "𝒳", "😀", "https://x.org/", "@", "Kyiv", ".", "a",
        "probelm", "colour",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(FRAGMENTS, max_size=40).map("".join)))
def test_suggestions_are_well_formed_for_any_text(text: str) -> None:
    found = spelling.run(text, PassContext(siblings=SIBLINGS))
    assert all(text[s.start : s.end] == s.original for s in found)
    assert drop_overlaps(found) == found
    apply_suggestions(text, found)
