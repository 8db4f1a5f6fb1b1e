"""python manage.py ingest PATH...: ingest text files (or folders of them); first line is the title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from articles.ingest import ArticleData, ingest_article
from articles.models import ApiClient, IngestRequest
from articles.tokens import create_api_token


def command_client(name: str) -> ApiClient:
    client = ApiClient.objects.filter(name=name).first()
    if client is None:
        client, _ = create_api_token(name)  # the key is discarded: this client never calls the API
    return client


def text_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{raw}: no such file or folder")
    return files


def ingest_file(client: ApiClient, path: Path, source: str) -> tuple[int, bool]:
    raw = path.read_bytes()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise CommandError(f"{path}: not UTF-8 (byte offset {ex.start}); convert it first") from None
    if not body.strip():
        raise CommandError(f"{path}: empty file")
    title = body.split("\n", 1)[0].strip() or path.stem
    with transaction.atomic():
        request = IngestRequest.objects.create(client=client, content_type="text/plain; charset=utf-8", body=raw)
        outcome = ingest_article(
            client=client,
            data=ArticleData(source=source, external_id=path.stem, title=title, body=body),
            request=request,
        )
    return outcome.article.pk, outcome.created


class Command(BaseCommand):
    help = "Ingest UTF-8 text files (or folders of .txt files). The first line of each file is its title."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--source", default="files", help="source slug for the articles (default: files)")
        parser.add_argument("--client", default="command-line", help="API client recorded as the sender")

    def handle(self, *args: Any, **options: Any) -> None:
        files = text_files(options["paths"])
        client = command_client(options["client"])
        created = 0
        for path in tqdm(files, desc="ingesting", unit="file", disable=not files):
            _, is_new = ingest_file(client, path, options["source"])
            created += is_new
        self.stdout.write(f"Ingested {len(files)} files ({created} new articles).")
