"""Stories: copies of the same event from several outlets, clustered with MinHash LSH.

The features are an article's content words plus its capitalised words (names weigh twice), so
that two outlets' independent rewrites of one event still meet. Signatures and LSH bands live in
PostgreSQL; a new article is compared only with articles sharing a band inside a time window.
An article joins its story in its pipeline job (``join_story``), not in the ingest request.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, Revision, Story, StoryBand, StorySignature

NUM_PERM = 128
ROWS_PER_BAND = 2  # 64 bands of 2 rows: candidates from a Jaccard of about 0.1 upwards
STORY_LOCK_ID = 0x5709_0001
MAX_CANDIDATES = 50  # articles compared with a new one, at most

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{2,}")
_STOPWORDS = frozenset(
    """about above after again against also among another because been before being below between
    both could does doing down during each from further have having here hers herself himself into
    itself just more most much must myself only other over said says same should some such than that
    their theirs them themselves then there these they this those through under until very were what
    when where which while whom with would your yours will shall said told week year years like make
    made many first last next over since still well even back being according""".split()
)


def story_features(text: str) -> set[str]:
    """Content words (lower-cased) plus a marked copy of capitalised words not opening a sentence."""
    features: set[str] = set()
    previous_end = 0
    for match in _WORD.finditer(text):
        word = match.group()
        lower = word.lower()
        if len(lower) > 3 and lower not in _STOPWORDS:
            features.add(lower)
        gap = text[previous_end:match.start()]
        opens_sentence = previous_end == 0 or any(ch in gap for ch in ".!?\n“\"")
        if word[0].isupper() and not opens_sentence and len(word) > 2:
            features.add("name:" + lower)
        previous_end = match.end()
    return features


def minhash_of(features: set[str]) -> np.ndarray:
    # The scheme is pinned: stored signatures must stay comparable across datasketch upgrades.
    mh = MinHash(num_perm=NUM_PERM, seed=7, scheme="affine32")
    mh.update_batch([f.encode("utf-8") for f in sorted(features)])
    return np.asarray(mh.hashvalues, dtype=np.uint64)


def band_hashes(signature: np.ndarray) -> list[int]:
    bands = []
    for i in range(0, NUM_PERM, ROWS_PER_BAND):
        digest = hashlib.blake2b(signature[i : i + ROWS_PER_BAND].tobytes(), digest_size=8).digest()
        bands.append(int.from_bytes(digest, "little", signed=True))
    return bands


def estimate_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def signature_similarity(a: bytes | memoryview, b: bytes | memoryview) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    return estimate_similarity(np.frombuffer(bytes(a), dtype=np.uint64), np.frombuffer(bytes(b), dtype=np.uint64))


def story_signature(text: str) -> np.ndarray:
    return minhash_of(story_features(text))


def join_story(article_id: int) -> int | None:
    """Put the article in the story of its most similar recent article, or in a new story; once.

    The first step of the article's pipeline job (corrections.pipeline), never of the ingest
    request. The article is compared by revision 1, its text as received, whichever job runs
    first. The assignment (the article's story, its signature and LSH bands) is one transaction of
    its own, committed before the passes run, so that the passes that read the story's other
    copies see it. The signature row marks it done: a job re-run after a crash, a redelivered
    message or a later revision's job finds it and leaves the story as it is. Assignments are
    serialised with a transaction-level advisory lock, so that two copies of one event processed
    at once cannot found two stories; the signature is computed before the lock is taken.
    Returns the article's story id.
    """
    row = (Revision.objects.filter(article_id=article_id, number=1)
           .values_list("text", "article__story_id", "article__story_signature__article_id").first())
    if row is None:
        return None
    text, story_id, signed = row
    if signed is not None:
        return story_id
    signature = story_signature(text)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STORY_LOCK_ID])
        # Again under the lock: a twin job (a redelivered message) may have been first.
        row = Article.objects.filter(pk=article_id).values_list("title", "story_id", "story_signature__article_id").first()
        if row is None:
            return None
        title, story_id, signed = row
        if signed is not None:
            return story_id
        return _assign(article_id, title, signature, timezone.now() - settings.NEWSROOM_STORY_WINDOW)


def _assign(article_id: int, title: str, signature: np.ndarray, since: datetime) -> int:
    bands = band_hashes(signature)
    best: tuple[float, int | None] | None = None
    for raw, other_story in (StorySignature.objects.filter(article_id__in=_candidates(article_id, bands, since))
                             .values_list("minhash", "article__story_id")):
        similarity = estimate_similarity(signature, np.frombuffer(bytes(raw), dtype=np.uint64))
        if best is None or similarity > best[0]:
            best = (similarity, other_story)
    story_id = best[1] if best is not None and best[0] >= settings.NEWSROOM_STORY_THRESHOLD else None
    if story_id is None:
        story_id = Story.objects.create(title=title[:500]).pk
    Article.objects.filter(pk=article_id).update(story_id=story_id, updated_at=timezone.now())
    StorySignature.objects.create(article_id=article_id, minhash=signature.tobytes())
    StoryBand.objects.bulk_create(StoryBand(article_id=article_id, band=i, hash=h) for i, h in enumerate(bands))
    return story_id


def _candidates(article_id: int, bands: list[int], since: datetime) -> list[int]:
    """The recent articles sharing a band with this one: the ``MAX_CANDIDATES`` sharing the most
    (the likeliest to be most similar; then the newest), so that the signatures compared stay
    bounded however large a story grows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT sb.article_id
            FROM articles_storyband sb
            JOIN unnest(%s::smallint[], %s::bigint[]) AS q(band, hash)
              ON sb.band = q.band AND sb.hash = q.hash
            WHERE sb.article_id <> %s AND sb.created_at >= %s
            GROUP BY sb.article_id
            ORDER BY count(*) DESC, sb.article_id DESC
            LIMIT %s
            """,
            [list(range(len(bands))), bands, article_id, since, MAX_CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]
