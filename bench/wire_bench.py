"""Time reading one wire document into article fields, against parsing the same bytes alone.

    DATABASE_URL=... .venv/bin/python bench/wire_bench.py [--repeat 300]

For a ninjs 2.1 text item (dpa's example), a NewsML-G2 text item with NITF (IPTC's listing 2) and
a NITF document (the tests' fixture), prints JSON with the median time of ``read_document`` (schema
validation or hardened XML parsing, markup to paragraphs, mapping) and of the floor, ``json.loads``
or ``lxml.etree.fromstring`` on the same bytes, timed alternately in one run, and their ratio. The
ninjs item is timed with its version given and undeclared (three schemas tried).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from lxml import etree  # noqa: E402

from articles.wire import G2, NINJS, NITF, Defaults  # noqa: E402
from articles.wire.formats import read_document  # noqa: E402

SHARED = ROOT.parent / "shared" / "wire"
CASES = {
    "ninjs_2.1_declared": (f"{NINJS}; version=2.1", SHARED / "ninjs/examples/2.1/dpa_text.json", json.loads),
    "ninjs_2.1_undeclared": (NINJS, SHARED / "ninjs/examples/2.1/dpa_text.json", json.loads),
    "g2_nitf": (G2, SHARED / "newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml", etree.fromstring),
    "nitf": (NITF, ROOT / "tests/articles/wire_fixtures/harbour.nitf.xml", etree.fromstring),
}


def median_pair(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    a, b = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        first()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        second()
        b.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    results = {}
    defaults = Defaults(source="bench")
    for name, (media_type, path, floor) in CASES.items():
        if not path.exists():
            results[name] = {"skipped": f"{path} not found"}
            continue
        raw = path.read_bytes()
        read_document(media_type, raw, defaults)  # warm: schemas loaded, validators built
        ours, base = median_pair(partial(read_document, media_type, raw, defaults), partial(floor, raw), args.repeat)
        results[name] = {"bytes": len(raw), "read_document_ms": round(ours * 1000, 3),
                         "parse_only_ms": round(base * 1000, 3), "ratio": round(ours / base, 1)}
    print(json.dumps({"repeat": args.repeat, "results": results}, indent=2))


if __name__ == "__main__":
    main()
