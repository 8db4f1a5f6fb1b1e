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
    if StorySignature.objects.filter(article_id=article_id).exists():
        return Article.objects.filter(pk=article_id).values_list("story_id", flat=True).first()
    text = Revision.objects.filter(article_id=article_id, number=1).values_list("text", flat=True).first()
    if text is None:
        return None
    signature = story_signature(text)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STORY_LOCK_ID])
        article = Article.objects.filter(pk=article_id).only("id", "title", "story_id").first()
        if article is None:
            return None
        if StorySignature.objects.filter(article_id=article_id).exists():  # a twin job was first
            return article.story_id
        return _assign(article, signature, timezone.now() - settings.NEWSROOM_STORY_WINDOW).pk


def _assign(article: Article, signature: np.ndarray, since: datetime) -> Story:
    bands = band_hashes(signature)
    candidate_ids = _candidates(article.pk, bands, since)
    best: tuple[float, int] | None = None
    for other_id, raw in StorySignature.objects.filter(article_id__in=candidate_ids).values_list("article_id", "minhash"):
        similarity = estimate_similarity(signature, np.frombuffer(bytes(raw), dtype=np.uint64))
        if best is None or similarity > best[0]:
            best = (similarity, other_id)
    story: Story | None = None
    if best is not None and best[0] >= settings.NEWSROOM_STORY_THRESHOLD:
        story = Story.objects.filter(articles__id=best[1]).first()
    if story is None:
        story = Story.objects.create(title=article.title[:500])
    Article.objects.filter(pk=article.pk).update(story=story, updated_at=timezone.now())
    article.story = story
    StorySignature.objects.create(article=article, minhash=signature.tobytes())
    StoryBand.objects.bulk_create(StoryBand(article=article, band=i, hash=h) for i, h in enumerate(bands))
    return story


def _candidates(article_id: int, bands: list[int], since: datetime) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT sb.article_id
            FROM articles_storyband sb
            JOIN unnest(%s::smallint[], %s::bigint[]) AS q(band, hash)
              ON sb.band = q.band AND sb.hash = q.hash
            WHERE sb.article_id <> %s AND sb.created_at >= %s
            """,
            [list(range(len(bands))), bands, article_id, since],
        )
        return {row[0] for row in cursor.fetchall()}
