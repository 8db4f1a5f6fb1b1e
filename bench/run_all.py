"""`make bench`: run every benchmark and write their JSON into one file, with the targets' table.

    .venv/bin/python bench/run_all.py [--only passes_bench,story_bench] [--skip load_bench]

Runs each bench/*.py but this one, files starting with "_", bench/locustfile.py (load_bench's part)
and bench/chaos_run.py (a reliability run, README: Tests and measurements); load_bench.py with a
short bounded run. Each script's stdout is its JSON; its stderr is passed through. Writes
bench/results/bench-<UTC time>.json (ignored by git) and bench/results/latest.json, prints the
path and the table of every "targets" entry ({name, value, floor, ratio, target, pass}) the
scripts report. Exits 0 even when a target is not met (the table says so); 1 when a script failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import machine  # noqa: E402

SKIP = {"run_all.py", "locustfile.py", "chaos_run.py"}
# The benchmarks of issue 12's targets first, then the others in name order.
FIRST = ["passes_bench.py", "story_bench.py", "throughput_bench.py", "ingest_bench.py", "load_bench.py"]
# A short bounded run where the default is long (the full runs: README, Tests and measurements).
ARGS = {
    "load_bench.py": ["--duration", "60", "--drain-timeout", "120", "--editors", "5"],
    "story_bench.py": ["--copies", "200"],
}


def parse(stdout: str) -> Any:
    """The script's JSON: all of stdout, else its last JSON object."""
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        start = stdout.rfind("\n{")
        while start != -1:
            try:
                return json.loads(stdout[start + 1:])
            except json.JSONDecodeError:
                start = stdout.rfind("\n{", 0, start)
        return {"stdout": stdout[-4000:]}


def table(targets: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        return "" if value is None else ("met" if value is True else "not met" if value is False else str(value))

    lines = ["| target | figure | floor | ratio | goal | |", "| --- | --- | --- | --- | --- | --- |"]
    # load_bench names its checks {check, measured, target, pass}: the same table takes them.
    lines += [f"| {t.get('name', t.get('check'))} | {cell(t.get('value', t.get('measured')))} | "
              f"{cell(t.get('floor'))} | {cell(t.get('ratio'))} | {t.get('target')} | {cell(t.get('pass'))} |"
              for t in targets]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated script names (without .py)")
    ap.add_argument("--skip", default="", help="comma-separated script names to leave out")
    args = ap.parse_args()
    only = {f"{n}.py" for n in args.only.split(",") if n}
    skip = {f"{n}.py" for n in args.skip.split(",") if n}
    scripts = sorted((p for p in HERE.glob("*.py")
                      if p.name not in SKIP | skip and not p.name.startswith("_") and (not only or p.name in only)),
                     key=lambda p: (FIRST.index(p.name) if p.name in FIRST else len(FIRST), p.name))
    started = time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime())
    results: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    failed: list[str] = []
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{started}.json"

    def write(done: bool) -> None:  # after each script, so that a run cut short keeps what it measured
        report = {"started": started, "finished": done, "machine_after": machine(), "scripts": [p.name for p in scripts],
                  "failed": failed, "targets": targets, "results": results}
        path.write_text(json.dumps(report, indent=2) + "\n")
        if done:
            (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")

    for script in scripts:
        print(f"make bench: {script.name}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, str(script), *ARGS.get(script.name, [])], stdout=subprocess.PIPE,
                              text=True, cwd=HERE.parent, env=dict(os.environ), check=False)
        output = parse(done.stdout)
        results[script.stem] = {"exit": done.returncode, "seconds": round(time.monotonic() - t0, 1), "result": output}
        if done.returncode != 0:
            failed.append(script.name)
        listed = output.get("targets") if isinstance(output, dict) else None
        if isinstance(listed, list):  # a script whose "targets" is something else keeps it in its result
            targets += [{"bench": script.stem, **entry} for entry in listed if isinstance(entry, dict)]
        write(done=False)
    write(done=True)
    print(table(targets))
    print(f"\nmake bench: wrote {path.relative_to(HERE.parent)} (and bench/results/latest.json)"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
