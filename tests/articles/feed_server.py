"""A local HTTP server for feed tests: 127.0.0.1 on a free port, in a thread, serving what a test
puts in ``documents``, answering conditional GETs like a well-behaved feed host, and recording
every request it saw."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Document:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str = ""  # answered, and honoured in If-None-Match
    last_modified: str = ""  # answered, and honoured in If-Modified-Since (exact match)
    basic_auth: tuple[str, str] | None = None
    drip_seconds: float = 0.0  # sleep between 1 KiB chunks
    endless: bool = False  # stream bytes until the client hangs up
    location: str = ""  # answered as Location (with a 3xx status: a redirect)


@dataclass
class FeedServer:
    url: str
    documents: dict[str, Document] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.seen if p == path]


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            state.seen.append((self.path, {k: v for k, v in self.headers.items()}))
            doc = state.documents.get(self.path)
            if doc is None:
                self.send_error(404)
                return
            if doc.basic_auth is not None:
                expected = "Basic " + base64.b64encode(":".join(doc.basic_auth).encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="feed"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            fresh = (doc.etag and self.headers.get("If-None-Match") == doc.etag) or (
                doc.last_modified and not doc.etag and self.headers.get("If-Modified-Since") == doc.last_modified)
            if doc.status == 200 and fresh:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(doc.status)
            self.send_header("Content-Type", doc.content_type)
            if doc.etag:
                self.send_header("ETag", doc.etag)
            if doc.last_modified:
                self.send_header("Last-Modified", doc.last_modified)
            if doc.location:
                self.send_header("Location", doc.location)
            if not doc.endless:
                self.send_header("Content-Length", str(len(doc.body)))
            self.end_headers()
            try:
                if doc.endless:
                    while True:
                        self.wfile.write(b"<!-- padding -->" * 64)
                elif doc.drip_seconds:
                    for start in range(0, len(doc.body), 1024):
                        self.wfile.write(doc.body[start:start + 1024])
                        self.wfile.flush()
                        time.sleep(doc.drip_seconds)
                else:
                    self.wfile.write(doc.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what a size or time limit does

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def http_date(seconds: float = 1_800_000_000) -> str:
    return formatdate(seconds, usegmt=True)


def rss(items: list[tuple[str, str, str]], title: str = "Example Local News") -> bytes:
    """An RSS 2.0 channel of (guid, title, html description) items."""
    entries = "".join(
        f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{t}</title>"
        f"<link>https://news.example.com/{guid}</link><pubDate>Mon, 07 Dec 2026 09:00:00 GMT</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for guid, t, html in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://news.example.com/</link><description>Local news</description><language>en-gb</language>"
            f"{entries}</channel></rss>").encode()


def atom(entries: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed of (id, title, html content) entries."""
    body = "".join(
        f'<entry><id>{entry_id}</id><title>{t}</title><updated>2026-12-07T09:30:00Z</updated>'
        f'<link href="https://blog.example.org/{entry_id.rsplit(":", 1)[-1]}"/>'
        f'<content type="html"><![CDATA[{html}]]></content></entry>'
        for entry_id, t, html in entries
    )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            '<title>Example Blog</title><id>tag:blog.example.org,2026:feed</id>'
            f"<updated>2026-12-07T09:30:00Z</updated>{body}</feed>").encode()
