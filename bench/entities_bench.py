"""Benchmark the entity pass against gazetteers of 1k, 10k and 100k entities.

    .venv/bin/python bench/entities_bench.py [--repeats 30]

Prints JSON: per gazetteer size, the index build time and the median / p90 time of the entity pass
on a 5 KB article (the first seed, cut to 5,000 characters, with the other seeds as siblings), and
the process RSS with the 100k index loaded. The generated entities are plausible made-up people
and places (deterministic), added to the starter people of seeds/gazetteer.json so that the article
has real matches to make. The index blocks on sound keys, so the 100k median should stay within
1.5x of the 1k median.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corrections import starter_data  # noqa: E402
from corrections.passes import entities  # noqa: E402
from corrections.passes.base import Entity, GazetteerSnapshot, PassContext, SiblingText  # noqa: E402
from corrections.passes.names_index import build_index, index_for  # noqa: E402

ONSETS = "b c d f g h j k l m n p r s t v z br dr gr kr pr st tr sh ch zh kh".split()
VOWELS = "a e i o u a e o ia io".split()
SURNAME_ENDINGS = "ov ova enko ski sky son sen ez es ani ian ic ich escu ura ito ard ner ini".split()
PLACE_ENDINGS = "burg grad ville pur abad stan ton ford polis haven".split()


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))


def generate_entities(n: int, seed: int = 7, first_id: int = 100_000) -> list[Entity]:
    """``n`` made-up entities: 85% people ("Given Surname"), 15% one-word places."""
    rng = random.Random(seed)
    givens = [_word(rng, rng.randint(2, 3)).capitalize() for _ in range(2000)]
    out: list[Entity] = []
    for k in range(n):
        if rng.random() < 0.85:
            surname = (_word(rng, rng.randint(1, 3)) + rng.choice(SURNAME_ENDINGS)).capitalize()
            name = f"{rng.choice(givens)} {surname}"
            out.append(Entity(first_id + k, name, "person", "generated person"))
        else:
            place = (_word(rng, rng.randint(1, 3)) + rng.choice(PLACE_ENDINGS)).capitalize()
            out.append(Entity(first_id + k, place, "place", "generated place"))
    return out


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()

    seeds = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
    article = seeds[0].read_text(encoding="utf-8")[:5000]
    siblings = tuple(
        SiblingText(article_id=i, source=f"outlet-{i}", text=p.read_text(encoding="utf-8"))
        for i, p in enumerate(seeds[1:], start=1)
    )
    curated = starter_data.load_gazetteer(version=1).entities[:16]  # the seed story's entities
    results: dict[str, object] = {"article_chars": len(article), "siblings": len(siblings)}
    sizes = {}
    base_rss = rss_mb()
    for version, size in enumerate((1_000, 10_000, 100_000), start=1000):
        gazetteer = GazetteerSnapshot(
            version=version, entities=tuple(curated) + tuple(generate_entities(size - len(curated)))
        )
        gc.collect()
        t0 = time.perf_counter()
        build_index(gazetteer)
        build_s = time.perf_counter() - t0
        index_for(gazetteer)  # the cached index the pass will use
        context = PassContext(source="outlet-0", gazetteer=gazetteer, siblings=siblings)
        entities.run(article, context)  # warm caches
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            found = entities.run(article, context)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        sizes[str(size)] = {
            "entities": len(gazetteer.entities),
            "index_build_s": round(build_s, 3),
            "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(times[int(len(times) * 0.9) - 1], 2),
            "suggestions": len(found),
            "rss_mb": round(rss_mb(), 1),
        }
    results["sizes"] = sizes
    results["baseline_rss_mb"] = round(base_rss, 1)
    results["rss_mb_with_100k_index"] = sizes["100000"]["rss_mb"]
    ratio = sizes["100000"]["median_ms"] / sizes["1000"]["median_ms"]
    results["median_ratio_100k_to_1k"] = round(ratio, 3)
    results["ok"] = ratio <= 1.5
    print(json.dumps(results, indent=2))
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
