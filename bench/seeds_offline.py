"""Run the passes on the seed articles without the database and score them offline.

    .venv/bin/python bench/seeds_offline.py [--passes encoding,whitespace] [--docs-dir DIR]

Builds each seed's PassContext the way the pipeline does (the other seeds as siblings, the starter
gazetteer, house-style rules and boilerplate patterns from seeds/), writes an offline run file and
runs ../shared/eval/score.py --offline on it. A development aid: the figures that count come from
the running system.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Echoes are marked from MinHash signatures as the pipeline marks them (articles.stories needs Django).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from articles.stories import estimate_similarity, story_signature  # noqa: E402
from corrections import starter_data  # noqa: E402
from corrections.echoes import mark_echoes  # noqa: E402
from corrections.passes.base import (  # noqa: E402
    BoilerplateProfile,
    GazetteerSnapshot,
    PassContext,
    SiblingText,
)
from corrections.passes.contradictions import settle  # noqa: E402
from corrections.passes.registry import DEFAULT_PASSES  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", default="", help="comma-separated pass names (default: all that import)")
    ap.add_argument("--docs-dir", default=str(ROOT.parent / "shared/eval/seeds"))
    ap.add_argument("--gold", default=str(ROOT.parent / "shared/eval/seeds-gold.json"))
    ap.add_argument("--out", default="/tmp/seeds_offline_run.json")
    ap.add_argument("--no-siblings", action="store_true")
    ap.add_argument("--empty-gazetteer", action="store_true")
    args = ap.parse_args()

    wanted = {p for p in args.passes.split(",") if p}
    modules = []
    for path in DEFAULT_PASSES:
        try:
            mod = importlib.import_module(path)
        except ImportError as ex:
            print(f"skipping {path}: {ex}", file=sys.stderr)
            continue
        if not wanted or mod.NAME in wanted:
            modules.append(mod)

    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    texts = {d["file"]: Path(args.docs_dir, d["file"]).read_text(encoding="utf-8") for d in gold["docs"]}
    gazetteer = GazetteerSnapshot()
    load_gaz = getattr(starter_data, "load_gazetteer", None)
    if load_gaz is not None and not args.empty_gazetteer:
        gazetteer = load_gaz()
    profile = BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns())
    rules = starter_data.load_style_rules()

    docs = []
    for d in gold["docs"]:
        text = texts[d["file"]]
        siblings = () if args.no_siblings else mark_echoes(text, story_signature(text), [
            (SiblingText(article_id=i, source=o["source"], text=texts[o["file"]]), story_signature(texts[o["file"]]))
            for i, o in enumerate(gold["docs"]) if o["file"] != d["file"]
        ], estimate_similarity)
        ctx = PassContext(source=d["source"], language="en", title=d["title"], gazetteer=gazetteer,
                          style_rules=rules, siblings=siblings, boilerplate=profile)
        per_pass = []
        for mod in modules:
            t0 = time.perf_counter()
            found = mod.run(text, ctx)
            for s in found:
                assert text[s.start:s.end] == s.original, (mod.NAME, s)
            per_pass.append((mod.NAME, found))
            ms = (time.perf_counter() - t0) * 1000
            print(f"{d['file']} {mod.NAME}: {ms:.1f} ms", file=sys.stderr)
        # What the pipeline leaves pending: contradicting suggestions settled as it settles them.
        suggestions = [{"start": s.start, "end": s.end, "original": s.original,
                        "replacement": s.replacement, "kind": s.kind, "pass": name,
                        "confidence": s.confidence, "explanation": s.explanation,
                        "status": "pending", "revision": 1} for name, s in settle(text, per_pass)]
        docs.append({"file": d["file"], "suggestions": suggestions})
    Path(args.out).write_text(json.dumps({"docs": docs}, ensure_ascii=False, indent=1), encoding="utf-8")
    return subprocess.call([sys.executable, str(ROOT.parent / "shared/eval/score.py"), "--offline", args.out,
                            "--gold", args.gold, "--docs-dir", args.docs_dir, "--json", args.out + ".score.json"])


if __name__ == "__main__":
    sys.exit(main())
