"""The entity pass on headings (a title is one): a first name is read with its surname first."""

from __future__ import annotations

import pytest

from corrections.passes import base, entities

TITLE = "Volodimir Zelanski and the Kremlin: a adjacent summit"

GAZETTEER = base.GazetteerSnapshot(entities=(
    base.Entity(1, "Volodymyr Zelensky", "person", "President of Ukraine"),
    base.Entity(2, "Vladimir", "place", "city in Russia"),
))


@pytest.mark.parametrize("headline", [TITLE, "Volodimir Zelanski Meets Trump", "Talks with Volodimir Zelanski"])
def test_a_first_name_in_a_headline_is_judged_by_its_surname(headline: str) -> None:
    found = {(s.original, s.replacement) for s in entities.run(headline, base.PassContext(gazetteer=GAZETTEER))}
    assert found == {("Volodimir", "Volodymyr"), ("Zelanski", "Zelensky")}
