"""The title through the passes: which passes read a headline, and with what context.

A title is one short line, read before anything else, and machine translation damages it exactly
as it damages the body. Each pass is run on it when the pass means something for a single line;
the decision is made here, per pass, so that adding a pass means deciding (a test fails until the
new pass is listed).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from corrections.passes import base

# Passes that run on the title, and why they make sense there.
RUNS_ON_TITLE: Final[dict[str, str]] = {
    "encoding": "mojibake, HTML entities and invisible characters reach a headline like any text",
    "whitespace": "doubled, leading and trailing spaces and tabs are as wrong in a title",
    "punctuation": "wrong-way quotes and a space before a colon are common in headlines",
    "entities": "names in a headline are the most read spellings of the story; the same gazetteer "
                "and the other outlets' copies are the evidence",
    "capitals": "'the united Nations' is as wrong in a headline; the pass takes no evidence from headings, "
                "so a headline in title case proves nothing either way",
    "house_style": "house style applies to every published word, the headline first",
    "spelling": "a headline is English text like the body",
    "grammar": "'a adjacent summit' is as wrong in a headline as in the text",
}

# Passes that do not, and why.
SKIPPED_ON_TITLE: Final[dict[str, str]] = {
    "boilerplate": "it judges whole lines by where they sit in the copy (first and last lines) and by the "
                   "source's history of edge lines; a title is one line that is always first, so every "
                   "title would look like site chrome",
    "duplicate": "it finds paragraphs and sentences printed twice within one text; a one-line title has "
                 "nothing to repeat (a headline repeated as the body's first line is the body's business: "
                 "the boilerplate pass reads the title for that)",
}


def runs_on_title(module: base.PassModule) -> bool:
    """Whether the pass reads titles. A pass on neither list does not, until someone decides."""
    return module.NAME in RUNS_ON_TITLE


def title_context(context: base.PassContext) -> base.PassContext:
    """The body's context, for the title: the same gazetteer, style rules, suppressions and
    sibling copies (the other outlets' bodies are what names in a headline are checked against).
    The boilerplate profile is left out; no pass that reads a title uses it."""
    return replace(context, boilerplate=base.BoilerplateProfile())
