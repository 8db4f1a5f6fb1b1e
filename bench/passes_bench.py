"""All passes on one 5 KB article, one process, against ftfy.fix_text on the same text.

    .venv/bin/python bench/passes_bench.py [--repeat 200]

The article is seed 000 (about 5,000 characters) as a new copy of its story: the other four seeds
(other outlets' copies of the same event) are its siblings, with the starter gazetteer, house
style and boilerplate patterns as the pipeline would pass them. Every round changes the article's
last line, so nothing derived from the article itself is reused from an earlier round; what a
worker process keeps from article to article (dictionaries, compiled patterns, the gazetteer
index, its reading of the siblings, which were earlier articles) is warmed up first, as in a
running worker. The floor is ``ftfy.fix_text`` on the same text, timed alternately with the passes
in the same run. CPU time of this process (time.process_time), so that other load on the machine
shows less. Prints JSON; the target is a ratio of at most 4.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ftfy  # noqa: E402
from _common import machine, target  # noqa: E402

from corrections import starter_data  # noqa: E402
from corrections.passes.base import BoilerplateProfile, PassContext, SiblingText  # noqa: E402
from corrections.passes.registry import DEFAULT_PASSES, load_passes  # noqa: E402

TARGET_RATIO = 4.0


def story() -> tuple[str, tuple[SiblingText, ...]]:
    seeds = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    siblings = tuple(SiblingText(article_id=i, source=f"outlet-{i}", text=t) for i, t in enumerate(texts[1:], 1))
    return texts[0], siblings


def measure(repeat: int) -> dict[str, Any]:
    article, siblings = story()
    context = PassContext(
        source="outlet-0", language="en", title=article.split("\n", 1)[0][:200],
        gazetteer=starter_data.load_gazetteer(), style_rules=starter_data.load_style_rules(),
        siblings=siblings, boilerplate=BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns()),
    )
    modules = load_passes(DEFAULT_PASSES)
    for sibling in siblings:  # the siblings were articles of this worker before
        for module in modules:
            module.run(sibling.text, context)
    per_pass: dict[str, list[float]] = {m.NAME: [] for m in modules}
    totals: list[float] = []
    floors: list[float] = []
    for i in range(repeat + 10):
        text = f"{article}\n\nCopy {i} of the desk's feed."
        started = time.process_time()
        ftfy.fix_text(text)
        floor = time.process_time() - started
        total = 0.0
        for module in modules:
            started = time.process_time()
            module.run(text, context)
            spent = time.process_time() - started
            total += spent
            if i >= 10:  # the first rounds warm the process up
                per_pass[module.NAME].append(spent)
        if i >= 10:
            totals.append(total)
            floors.append(floor)
    passes_ms = statistics.median(totals) * 1000
    ftfy_ms = statistics.median(floors) * 1000
    return {
        "chars": len(article),
        "siblings": len(siblings),
        "all_passes_ms": round(passes_ms, 3),
        "ftfy_fix_text_ms": round(ftfy_ms, 3),
        "ratio": round(passes_ms / ftfy_ms, 2),
        "target_ratio": TARGET_RATIO,
        "meets_target": passes_ms / ftfy_ms <= TARGET_RATIO,
        "per_pass_ms": {name: round(statistics.median(t) * 1000, 3) for name, t in per_pass.items()},
        "targets": [target("all passes on a 5 KB article / ftfy.fix_text (CPU ms, one process)",
                           round(passes_ms, 3), round(ftfy_ms, 3), round(passes_ms / ftfy_ms, 2), "<= 4x",
                           passes_ms / ftfy_ms <= TARGET_RATIO)],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    before = machine()
    result = measure(args.repeat)
    print(json.dumps({"benchmark": "all passes on a 5 KB article vs ftfy.fix_text", "machine_before": before,
                      "machine_after": machine(), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
