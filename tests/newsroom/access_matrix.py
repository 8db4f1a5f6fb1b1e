"""Who may do what: the reviewed expected answer of every URL and action, for every role.

One row per (URL name, method[, variant]). Columns are the roles, in this order:

    anonymous   no session, no token
    client      a plain API token (an ingestion client, tied to no user), no session
    viewer      a signed-in user in the viewer group (reads articles and publications)
    editor      decides suggestions, edits text, picks a story's canonical copy, reads the audit trail
    publisher   publishes and corrects
    admin       edits the gazetteer and house style by hand; a staff user (Django admin)

Signed-in users reach the API with their session (DRF's SessionAuthentication), as the desk does.
A cell is the HTTP status, or LOGIN (302 to the desk's login page) or ADMIN_LOGIN (302 to the
Django admin's login page). Each successful action is sent with a valid payload, so a 2xx/302 in
a cell means the action really happened. A new URL with no row here fails
tests/newsroom/test_access_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "client", "viewer", "editor", "publisher", "admin")
LOGIN = "login"
ADMIN_LOGIN = "admin-login"

Expected = int | str


@dataclass(frozen=True, slots=True)
class Row:
    name: str  # the URL name, with its namespace
    method: str
    expect: tuple[Expected, Expected, Expected, Expected, Expected, Expected]
    variant: str = ""  # two actions on one route (publish / correct, accept own / other's article)
    why: str = ""  # where the answer is not obvious

    @property
    def key(self) -> str:
        return f"{self.name} {self.method}{' ' + self.variant if self.variant else ''}"


MATRIX: list[Row] = [
    # --- site ---------------------------------------------------------------------------------------
    Row("healthz", "GET", (200, 200, 200, 200, 200, 200), why="for load balancers; names no data"),
    Row("healthz", "POST", (405, 405, 405, 405, 405, 405)),
    Row("login", "GET", (200, 200, 200, 200, 200, 200)),
    Row("login", "POST", (200, 200, 200, 200, 200, 200), variant="wrong password",
        why="the form again with an error, for everyone; the failure is audited"),
    Row("logout", "POST", (302, 302, 302, 302, 302, 302), why="to the login page; harmless without a session"),
    Row("logout", "GET", (405, 405, 405, 405, 405, 405), why="logging out changes state: POST only"),
    Row("metrics", "GET", (401, 401, 401, 401, 401, 401),
        why="for Prometheus: desk sessions and API tokens are no credentials; 401 asks for the bearer token"),
    Row("metrics", "GET", (200, 200, 200, 200, 200, 200), variant="scrape token",
        why="the bearer token (NEWSROOM_METRICS_TOKEN) decides, whoever else the caller is"),
    Row("metrics", "POST", (405, 405, 405, 405, 405, 405)),
    Row("schema", "GET", (200, 200, 200, 200, 200, 200), why="the OpenAPI document is public, like the contract"),
    Row("api-docs", "GET", (200, 200, 200, 200, 200, 200), why="Swagger UI; calls still need a token"),
    Row("admin:index", "GET", (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
        why="Django admin: staff only; the one entry for the whole admin site"),
    # --- desk: reading ------------------------------------------------------------------------------
    Row("desk:queue", "GET", (LOGIN, LOGIN, 403, 200, 200, 200),
        why="a token is no desk login: the desk knows sessions only"),
    Row("desk:review", "GET", (LOGIN, LOGIN, 403, 200, 200, 200), why="the desk starts at editor"),
    Row("desk:history", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:edit", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:story", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:audit", "GET", (LOGIN, LOGIN, 403, 200, 200, 200), why="as the audit API: editors and up"),
    Row("desk:published", "GET", (LOGIN, LOGIN, 200, 200, 200, 200),
        why="published text is for readers: viewers see it (and no links into the desk)"),
    Row("desk:publication", "GET", (LOGIN, LOGIN, 200, 200, 200, 200), why="an earlier publication, unchanged"),
    Row("desk:publish", "GET", (LOGIN, LOGIN, 403, 403, 200, 200), why="the publish and correct form"),
    Row("desk:gazetteer", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:entity", "GET", (LOGIN, LOGIN, 403, 200, 200, 200), why="editors read entities; forms show to admins"),
    Row("desk:entity-new", "GET", (LOGIN, LOGIN, 403, 403, 403, 200), why="the page is only a form"),
    Row("desk:suppressions", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:style", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:style-rule", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    # --- desk: actions (302 = done, back to a page) ---------------------------------------------------
    Row("desk:decide", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="accept"),
    Row("desk:decide", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="reject"),
    Row("desk:decide", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="edit"),
    Row("desk:decide", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="always",
        why="teaches the gazetteer from a decision: an editor's, unlike hand edits"),
    Row("desk:decide", "GET", (405, 405, 405, 405, 405, 405), why="deciding is POST only; the method is checked first"),
    Row("desk:decide-group", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="accept",
        why="accepts every identical suggestion as one revision"),
    Row("desk:decide-group", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), variant="reject"),
    Row("desk:decide-group", "GET", (405, 405, 405, 405, 405, 405), why="deciding is POST only"),
    Row("desk:accept-all", "POST", (LOGIN, LOGIN, 403, 302, 302, 302)),
    Row("desk:decision-preview", "GET", (LOGIN, LOGIN, 403, 200, 200, 200),
        why="a change across articles: the preview of what it would decide"),
    Row("desk:decisions", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:decisions", "POST", (LOGIN, LOGIN, 403, 302, 302, 302),
        why="an editor's decision, made on many articles at once"),
    Row("desk:decision", "GET", (LOGIN, LOGIN, 403, 200, 200, 200)),
    Row("desk:decision-undo", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), why="any editor may undo it, as a revert"),
    Row("desk:undo", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), why="undoes the user's own rejection"),
    Row("desk:edit", "POST", (LOGIN, LOGIN, 403, 302, 302, 302)),
    Row("desk:revert", "POST", (LOGIN, LOGIN, 403, 302, 302, 302)),
    Row("desk:publish", "POST", (LOGIN, LOGIN, 403, 403, 302, 302), variant="publish",
        why="an editor may prepare the text but not publish it"),
    Row("desk:publish", "POST", (LOGIN, LOGIN, 403, 403, 302, 302), variant="correct"),
    Row("desk:story-canonical", "POST", (LOGIN, LOGIN, 403, 302, 302, 302), why="an editorial pick, not a publication"),
    Row("desk:entity-new", "POST", (LOGIN, LOGIN, 403, 403, 403, 302), why="gazetteer by hand: admin"),
    Row("desk:entity", "POST", (LOGIN, LOGIN, 403, 403, 403, 302)),
    Row("desk:alias-add", "POST", (LOGIN, LOGIN, 403, 403, 403, 302)),
    Row("desk:alias-toggle", "POST", (LOGIN, LOGIN, 403, 403, 403, 302)),
    Row("desk:suppression-toggle", "POST", (LOGIN, LOGIN, 403, 403, 403, 302),
        why="re-enabling a pair editors rejected is a gazetteer edit"),
    Row("desk:style", "POST", (LOGIN, LOGIN, 403, 403, 403, 302)),
    Row("desk:style-rule", "POST", (LOGIN, LOGIN, 403, 403, 403, 302)),
    # --- operations -------------------------------------------------------------------------------------
    Row("desk:ops", "GET", (LOGIN, LOGIN, 403, 403, 403, 200), why="queues, failed jobs and pass quality: operators"),
    Row("desk:job-retry", "POST", (LOGIN, LOGIN, 403, 403, 403, 302), why="re-runs a failed job; audited"),
    Row("desk:job-retry", "GET", (405, 405, 405, 405, 405, 405), why="retrying is POST only"),
    # --- feeds (articles.feeds) ----------------------------------------------------------------------------
    Row("feeds:list", "GET", (LOGIN, LOGIN, 403, 403, 403, 200), why="feeds and their health are for operators"),
    Row("feeds:list", "POST", (LOGIN, LOGIN, 403, 403, 403, 302), why="registers a feed; audited"),
    Row("feeds:edit", "GET", (LOGIN, LOGIN, 403, 403, 403, 200)),
    Row("feeds:edit", "POST", (LOGIN, LOGIN, 403, 403, 403, 302), why="changes or disables a feed; audited"),
    Row("feeds:poll", "POST", (LOGIN, LOGIN, 403, 403, 403, 302), why="makes the feed due now; audited"),
    Row("feeds:poll", "GET", (405, 405, 405, 405, 405, 405), why="polling is POST only; the method is checked first"),
    Row("api:feeds", "GET", (401, 403, 403, 403, 403, 200), why="feed URLs and their errors are for admins"),
    Row("api:feeds", "POST", (401, 403, 403, 403, 403, 201)),
    Row("api:feed-detail", "GET", (401, 403, 403, 403, 403, 200)),
    Row("api:feed-detail", "PATCH", (401, 403, 403, 403, 403, 200), why="changes or disables a feed; audited"),
    Row("api:feed-poll", "POST", (401, 403, 403, 403, 403, 202)),
    # --- API: ingestion and reading -------------------------------------------------------------------
    Row("api:articles", "POST", (401, 201, 403, 403, 403, 403),
        why="ingestion needs a client token; people do not ingest through a session"),
    Row("api:articles", "GET", (401, 200, 200, 200, 200, 200), why="a client lists only its own articles"),
    Row("api:articles-batch", "POST", (401, 200, 403, 403, 403, 403)),
    Row("api:article-detail", "GET", (401, 404, 200, 200, 200, 200), variant="other client's",
        why="client isolation: another client's article does not exist for it"),
    Row("api:article-detail", "GET", (401, 200, 200, 200, 200, 200), variant="own"),
    Row("api:article-detail", "DELETE", (401, 405, 405, 405, 405, 405), why="nothing received is ever deleted"),
    Row("api:article-detail", "PUT", (401, 405, 405, 405, 405, 405), why="changes are revisions, never updates"),
    Row("api:article-revisions", "GET", (401, 404, 200, 200, 200, 200), variant="other client's"),
    Row("api:article-revisions", "GET", (401, 200, 200, 200, 200, 200), variant="own"),
    Row("api:article-revision-detail", "GET", (401, 404, 200, 200, 200, 200), variant="other client's"),
    Row("api:article-suggestions", "GET", (401, 404, 200, 200, 200, 200), variant="other client's"),
    # --- API: decisions, publishing, audit --------------------------------------------------------------
    Row("api:suggestion-accept", "POST", (401, 403, 403, 200, 200, 200)),
    Row("api:suggestion-reject", "POST", (401, 403, 403, 200, 200, 200)),
    Row("api:decisions", "POST", (401, 403, 403, 201, 201, 201),
        why="a change across articles is an editor's decision; a plain client decides nothing"),
    Row("api:decision-detail", "GET", (401, 403, 403, 200, 200, 200)),
    Row("api:decision-undo", "POST", (401, 403, 403, 200, 200, 200)),
    Row("api:article-publish", "POST", (401, 403, 403, 403, 201, 201), variant="publish"),
    Row("api:article-publish", "POST", (401, 403, 403, 403, 201, 201), variant="correct"),
    Row("api:article-canonical", "GET", (401, 200, 200, 200, 200, 200),
        why="published versions are for downstream systems: every client reads them, not only the sender's"),
    Row("api:article-publication-detail", "GET", (401, 200, 200, 200, 200, 200)),
    Row("api:article-publication-detail", "DELETE", (401, 405, 405, 405, 405, 405),
        why="no code path unpublishes (and the database refuses it too)"),
    Row("api:published-feed", "GET", (401, 200, 200, 200, 200, 200)),
    Row("api:story-canonical", "POST", (401, 403, 403, 200, 200, 200)),
    Row("api:audit", "GET", (401, 403, 403, 200, 200, 200), why="actors and hashes are for the desk, not for clients"),
]
