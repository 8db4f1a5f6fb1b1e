"""Time the five cleanup passes against ftfy.fix_text alone on the same ~5 KB article.

    .venv/bin/python bench/cleanup_bench.py [--repeat 300]

Prints JSON: for a damaged article (mojibake, blank-line noise, a site footer) and for one
without mojibake, the median time of all cleanup passes together and of ``ftfy.fix_text`` on
the same text, timed alternately in the same run, and their ratio (target: at most 2.0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ftfy  # noqa: E402

from corrections import starter_data  # noqa: E402
from corrections.passes import boilerplate, duplicate, encoding, punctuation, whitespace  # noqa: E402
from corrections.passes.base import BoilerplateProfile, PassContext, PassModule  # noqa: E402

PASSES = (encoding, whitespace, boilerplate, duplicate, punctuation)
TARGET_CHARS = 5000


def build_articles() -> dict[str, str]:
    """A ~5 KB article from the seed texts, and the same with typical transport damage."""
    seeds = sorted((ROOT / "seeds").glob("0*.txt"))
    paragraphs: list[str] = []
    for path in (seeds[3], seeds[0]):
        paragraphs.extend(p for p in path.read_text(encoding="utf-8").splitlines() if p.strip())
    clean: list[str] = []
    for p in paragraphs:
        if sum(len(c) + 1 for c in clean) + len(p) > TARGET_CHARS:
            break
        clean.append(p)
    damaged = []
    for i, p in enumerate(clean):
        # Mojibake as a Windows-1252 reader makes it, on every other paragraph.
        if i % 2 == 0:
            p = p.encode("utf-8").decode("windows-1252", errors="replace")
        if i % 5 == 3:
            p = p.replace(" ", "\xc2 ", 1)  # the 'Â' of a mangled no-break space
        damaged.append(p)
    noisy = "\n\n\n".join(damaged) + "\n\nPost a Comment\n\nPrevious Post Next Post"
    return {"no_mojibake": "\n".join(clean), "damaged": noisy}


def time_passes(text: str, context: PassContext) -> float:
    start = time.perf_counter()
    for module in PASSES:
        module.run(text, context)
    return time.perf_counter() - start


def time_ftfy(text: str) -> float:
    start = time.perf_counter()
    ftfy.fix_text(text)
    return time.perf_counter() - start


def time_pass(module: PassModule, text: str, context: PassContext) -> float:
    start = time.perf_counter()
    module.run(text, context)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=300)
    args = ap.parse_args()
    context = PassContext(boilerplate=BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns()))
    report: dict[str, object] = {"repeat": args.repeat, "target_ratio": 2.0, "articles": {}}
    articles: dict[str, object] = {}
    for name, text in build_articles().items():
        for _ in range(20):  # warm caches (compiled patterns, ftfy tables)
            time_passes(text, context)
            time_ftfy(text)
        passes_t: list[float] = []
        ftfy_t: list[float] = []
        for _ in range(args.repeat):  # alternate so both see the same machine state
            passes_t.append(time_passes(text, context))
            ftfy_t.append(time_ftfy(text))
        passes_ms = statistics.median(passes_t) * 1000
        ftfy_ms = statistics.median(ftfy_t) * 1000
        suggestions = sum(len(m.run(text, context)) for m in PASSES)
        articles[name] = {
            "chars": len(text),
            "suggestions": suggestions,
            "cleanup_passes_ms": round(passes_ms, 3),
            "ftfy_fix_text_ms": round(ftfy_ms, 3),
            "ratio": round(passes_ms / ftfy_ms, 3),
            "per_pass_ms": {
                m.NAME: round(statistics.median(time_pass(m, text, context) for _ in range(50)) * 1000, 3)
                for m in PASSES
            },
        }
    report["articles"] = articles
    report["meets_target"] = all(
        isinstance(a, dict) and a["ratio"] <= 2.0 for a in articles.values()
    )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
