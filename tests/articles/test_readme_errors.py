"""The README's table of error statuses says what the API answers for a body it cannot read: each
case below is named by a phrase of the row for its status, and sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from articles.models import Article, IngestRequest
from articles.tokens import create_api_token

README = Path(__file__).resolve().parents[2] / "README.md"
URL = "/api/v1/articles/"
ARTICLE = json.dumps({"source": "wire", "external_id": "e-1", "title": "Café talks", "body": "Talks in the café."},
                     ensure_ascii=False)
LATIN1 = ARTICLE.encode("latin-1")  # "é" as the single byte 0xe9: not UTF-8
NINJS = json.dumps({"uri": "urn:e-1", "type": "text", "headline": "Café talks", "body_text": "Talks in the café."},
                   ensure_ascii=False)

# (phrase in the README's row, status, body, Content-Type)
CASES = [
    ("not valid UTF-8", 400, LATIN1, "application/json"),
    ("not valid UTF-8", 400, LATIN1, "application/json; charset=utf-8"),
    ("not valid UTF-8", 400, NINJS.encode("latin-1"), "application/ninjs+json"),
    ("not valid JSON", 400, b'{"source": "wire",', "application/json"),
    ("empty", 400, b"", "application/json"),
    ("or XML, for the XML wire formats", 400, b"<newsItem", "application/vnd.iptc.g2.newsitem+xml"),
    ("a `Content-Type` the endpoint does not take", 415, ARTICLE.encode(), "text/plain"),
    ("a `Content-Type` the endpoint does not take", 415, ARTICLE.encode(), "application/x-www-form-urlencoded"),
    ("a `charset` other than UTF-8", 415, ARTICLE.encode("utf-16"), "application/json; charset=utf-16"),
    ("a `charset` other than UTF-8", 415, LATIN1, "application/json; charset=iso-8859-1"),
]


def status_rows() -> dict[int, str]:
    """The README's table under "Errors are JSON": status -> what it says."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("Errors are JSON"):].split("\n\n")[1]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d{3}) \| (.+) \|$", table, re.MULTILINE)}


def test_the_readme_lists_every_client_error_status_once() -> None:
    assert sorted(status_rows()) == [400, 401, 403, 404, 409, 413, 415, 422, 429]


@pytest.mark.django_db
@pytest.mark.parametrize(("phrase", "status", "body", "content_type"), CASES)
def test_an_unreadable_body_gets_the_status_the_readme_names(phrase: str, status: int, body: bytes,
                                                           content_type: str) -> None:
    assert phrase in status_rows()[status]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token('readme-errors')[1]}")
    answer = api.generic("POST", URL, body, content_type=content_type)  # type: ignore[arg-type]  # bytes, as sent
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json().get("detail") or answer.json().get("errors")
    assert not Article.objects.exists() and not IngestRequest.objects.exists()
