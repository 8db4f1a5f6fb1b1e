"""python manage.py retention [--dry-run]: remove what the retention policy lets go."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.retention import CLASSES, run_retention
from newsroom.db_context import job_context


class Command(BaseCommand):
    help = (
        "Remove what the retention policy allows (NEWSROOM_RETAIN_<CLASS>_DAYS; 0 keeps for ever). "
        "Publications, corrections, audit rows and row history are never removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would go; remove nothing")
        parser.add_argument("--days", action="append", default=[], metavar="CLASS=DAYS",
                            help="override the policy for one class, e.g. --days raw_payloads=365 (repeatable)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        policy = dict(settings.NEWSROOM_RETENTION_DAYS)
        names = [c.name for c in CLASSES]
        for item in options["days"]:
            name, _, days = item.partition("=")
            if name not in names or not days.isdigit():
                raise CommandError(f"--days {item!r}: expected CLASS=DAYS with CLASS one of {', '.join(names)}")
            policy[name] = int(days)
        for name in names:
            days = policy.get(name, 0)
            self.stdout.write(f"{name}: {'kept for ever' if days <= 0 else f'older than {days} days goes'}")

        def progress(name: str, done: int) -> None:
            self.stdout.write(f"  {name}: {done} removed so far")

        with job_context("command:retention", "retention"):
            counts = run_retention(policy=policy, dry_run=options["dry_run"], batch_size=options["batch_size"],
                                   progress=progress)
        verb = "would remove" if options["dry_run"] else "removed"
        summary = ", ".join(f"{name} {count}" for name, count in counts.items()) or "nothing (all classes kept)"
        self.stdout.write(self.style.SUCCESS(f"Retention {verb}: {summary}."))
