"""python manage.py load_seeds: starter gazetteer, house style, and the seed articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from articles.management.commands.ingest import command_client, ingest_file
from corrections.gazetteer import load_starter_gazetteer, load_starter_style_rules
from corrections.starter_data import SEEDS_DIR


class Command(BaseCommand):
    help = "Load the starter gazetteer and house-style rules, then ingest the seed articles in seeds/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-articles", action="store_true", help="load reference data only")

    def handle(self, *args: Any, **options: Any) -> None:
        entities, aliases = load_starter_gazetteer(progress=lambda it, n: tqdm(it, total=n, desc="gazetteer", unit="entity"))
        rules = load_starter_style_rules()
        self.stdout.write(f"Gazetteer: {entities} new entities, {aliases} new aliases. House style: {rules} new rules.")
        if options["no_articles"]:
            return
        client = command_client("seeds")
        files = sorted(Path(SEEDS_DIR).glob("[0-9][0-9][0-9]_*.txt"))
        for path in tqdm(files, desc="seed articles", unit="article"):
            source = "seed-outlet-" + path.stem.split("_", 1)[0]
            ingest_file(client, path, source)
        self.stdout.write(f"Seed articles: {len(files)} ingested (sources seed-outlet-NNN) by the API client 'seeds'; "
                          "a token reads them when tied to an editor (create_api_token NAME --user USERNAME).")
