"""python manage.py reconcile [--wait S] [--grace S] [--json]: nothing lost, nothing doubled?"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from corrections.reconcile import Reconciliation, count_unfinished, reconcile


class Command(BaseCommand):
    help = (
        "Check the invariants that say nothing was lost or doubled (one article per natural key, none "
        "stuck, one run of each pass per ingested revision, no duplicate suggestion, no job past its "
        "lease, one ingest audit row per article) and exit 1 when one fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                            help="first wait up to this long for the queued and running jobs to finish")
        parser.add_argument("--grace", type=float, default=60, metavar="SECONDS",
                            help="how far past its lease (or the sweep's threshold) a job may be before it counts")
        parser.add_argument("--examples", type=int, default=5, help="offending rows named per check")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        waited = self.wait_for_jobs(options["wait"])
        result = reconcile(grace=timedelta(seconds=options["grace"]), examples=options["examples"])
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result, waited), indent=2))
        else:
            self.print_table(result, waited)
        if not result.passed:
            sys.exit(1)

    def wait_for_jobs(self, seconds: float) -> float | None:
        if seconds <= 0:
            return None
        started = time.monotonic()
        while count_unfinished() and time.monotonic() - started < seconds:
            time.sleep(1)
        return round(time.monotonic() - started, 1)

    def print_table(self, result: Reconciliation, waited: float | None) -> None:
        if waited is not None:
            self.stdout.write(f"waited {waited} s for the queued and running jobs")
        width = max(len(check.name) for check in result.checks)
        for check in result.checks:
            mark = self.style.SUCCESS("ok  ") if check.passed else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name:<{width}} {check.count:>7}  {check.description}")
            for example in check.examples:
                self.stdout.write(f"{'':>{width + 14}}- {example}")
        self.stdout.write("totals: " + ", ".join(f"{name} {count}" for name, count in result.totals.items()))
        failed = [check.name for check in result.checks if not check.passed]
        if failed:
            self.stdout.write(self.style.ERROR(f"Reconciliation FAILED: {', '.join(failed)}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Reconciliation passed: all {len(result.checks)} invariants hold."))


def as_json(result: Reconciliation, waited: float | None) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "waited_s": waited,
        "checks": {check.name: {"count": check.count, "passed": check.passed, "description": check.description,
                                "examples": check.examples} for check in result.checks},
        "totals": result.totals,
    }
