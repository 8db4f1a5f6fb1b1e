"""Stories: the five outlets' copies of one event cluster together; an unrelated article does not.

An article joins its story in its pipeline job (articles.stories.join_story, the job's first
step), never in the ingest request.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from articles.models import Article, Story, StoryBand, StorySignature
from articles.stories import (
    NUM_PERM,
    ROWS_PER_BAND,
    estimate_similarity,
    join_story,
    minhash_of,
    story_features,
)
from articles.tokens import create_api_token
from corrections import pipeline
from corrections.models import PipelineJob, Suggestion
from tests.articles.helpers import ingest

pytestmark = pytest.mark.django_db
SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("[0-9][0-9][0-9]_*.txt"))

UNRELATED = (
    "The city council of Wellington approved a new budget for public libraries on Thursday, "
    "adding funding for longer opening hours and a mobile library van serving rural suburbs. "
    "Councillor Fleur Anderson said reading programmes for children were the priority."
)


def test_features_mark_names_but_not_sentence_openers() -> None:
    features = story_features("Putin met Trump. The meeting was short.")
    assert "name:trump" in features and "name:putin" not in features and "name:the" not in features


def test_similarity_of_identical_texts_is_one() -> None:
    sig = minhash_of(story_features(UNRELATED))
    assert estimate_similarity(sig, sig) == 1.0


def run_jobs(article_ids: list[int]) -> None:
    """What the worker does: run each article's queued pipeline jobs, in the order they were queued."""
    jobs = PipelineJob.objects.filter(article_id__in=article_ids, state=PipelineJob.State.QUEUED)
    for job_id in jobs.order_by("id").values_list("pk", flat=True):
        assert pipeline.run_job(job_id) is not None


def test_seed_copies_form_one_story_and_an_unrelated_article_its_own() -> None:
    client = create_api_token("stories")[0]
    ids = [ingest(client, source=f"outlet-{i}", external_id=p.stem, body=p.read_text(encoding="utf-8")).article.pk
           for i, p in enumerate(SEEDS)]
    other = ingest(client, source="outlet-9", external_id="council", body=UNRELATED).article
    # The request stored the copies and their jobs, nothing derived from their text.
    assert set(Article.objects.filter(pk__in=[*ids, other.pk]).values_list("story_id", flat=True)) == {None}
    assert not StorySignature.objects.exists() and not StoryBand.objects.exists() and not Story.objects.exists()
    run_jobs([*ids, other.pk])
    stories = set(Article.objects.filter(pk__in=ids).values_list("story_id", flat=True))
    assert len(stories) == 1 and None not in stories
    assert Article.objects.get(pk=other.pk).story_id not in stories | {None}


def test_an_article_joins_its_story_once_whatever_runs_again() -> None:
    """A job re-run after a crash, a later revision's job or a twin call leaves the story as it
    was: one signature, one set of bands, the story of revision 1's text."""
    client = create_api_token("once")[0]
    first = ingest(client, source="outlet-0", external_id="000", body=SEEDS[0].read_text(encoding="utf-8"))
    copy = ingest(client, source="outlet-1", external_id="001", body=SEEDS[1].read_text(encoding="utf-8"))
    story = join_story(first.article.pk)
    # The copy's job put it in its story, and its worker died before the passes ended: the job
    # runs again.
    assert join_story(copy.article.pk) == story is not None
    run_jobs([copy.article.pk])
    # The client re-sends the copy as another event's text: the story stays revision 1's.
    changed = ingest(client, source="outlet-1", external_id="001", body=UNRELATED)
    assert changed.revision.number == 2
    run_jobs([copy.article.pk])
    assert join_story(copy.article.pk) == story
    assert Article.objects.get(pk=copy.article.pk).story_id == story
    assert StorySignature.objects.filter(article_id=copy.article.pk).count() == 1
    assert StoryBand.objects.filter(article_id=copy.article.pk).count() == NUM_PERM // ROWS_PER_BAND
    assert Story.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_copies_joining_at_once_found_one_story() -> None:
    """Two workers taking copies of one new event at the same moment: the story lock lets the
    second see the first's story instead of founding another."""
    client = create_api_token("at-once")[0]
    ids = [ingest(client, source=f"outlet-{i}", external_id=p.stem, body=p.read_text(encoding="utf-8")).article.pk
           for i, p in enumerate(SEEDS[:2])]
    start = threading.Barrier(len(ids))
    stories: dict[int, Any] = {}

    def work(article_id: int) -> None:
        try:
            start.wait()
            stories[article_id] = join_story(article_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(article_id,)) for article_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(stories.values())) == 1 and None not in stories.values()
    assert Story.objects.count() == 1


def test_a_new_copy_refreshes_the_consensus_suggestions_of_its_siblings() -> None:
    """Seed 000 arrives first, alone: its names get no cross-outlet evidence. When the others
    arrive, the story's refresh (one for the lot: corrections/story_refresh.py) updates 000's entity
    suggestions with what they spell."""
    client = create_api_token("refresh")[0]
    first = ingest(client, source="outlet-0", external_id="000", body=SEEDS[0].read_text(encoding="utf-8"))
    # The test database holds no gazetteer: the names are corrected by the other outlets alone.
    pipeline.run_job(PipelineJob.objects.get(revision=first.revision).pk)
    before = set(Suggestion.objects.filter(revision=first.revision, kind="entity", status="pending")
                 .values_list("original", "replacement"))
    for i, path in enumerate(SEEDS[1:], start=1):
        outcome = ingest(client, source=f"outlet-{i}", external_id=path.stem, body=path.read_text(encoding="utf-8"))
        pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    assert set(Suggestion.objects.filter(revision=first.revision, kind="entity", status="pending")
               .values_list("original", "replacement")) == before  # the refresh is a job of its own
    assert pipeline.run_pending_refreshes() > 0
    after = set(Suggestion.objects.filter(revision=first.revision, kind="entity", status="pending")
                .values_list("original", "replacement"))
    assert ("Radkin", "Radakin") in after and ("Radkin", "Radakin") not in before
    assert ("Lavarov", "Lavrov") in after


def test_each_outlet_speaks_through_its_copy_most_like_the_article() -> None:
    """A story can gather an outlet's copies of neighbouring events; the copy closest to the
    article is the one its names are compared with, however new the other is."""
    client = create_api_token("closest")[0]
    text = SEEDS[1].read_text(encoding="utf-8")
    article = ingest(client, source="outlet-a", external_id="a", body=text).article
    same_event = ingest(client, source="outlet-b", external_id="b1", body=SEEDS[3].read_text(encoding="utf-8")).article
    other_event = ingest(client, source="outlet-b", external_id="b2", body=UNRELATED).article
    for copy in (article, same_event, other_event):
        join_story(copy.pk)  # each job's first step
    article.refresh_from_db()
    Article.objects.filter(pk=other_event.pk).update(story_id=article.story_id)  # clustered in by a neighbour
    article.refresh_from_db()
    siblings = pipeline.sibling_texts(article)
    assert [(s.source, s.article_id) for s in siblings] == [("outlet-b", same_event.pk)]


def test_a_batch_joins_its_copies_to_one_story_in_the_worker(token_client: object) -> None:
    """A batch's copies join their stories in their jobs: copies in one batch still meet, an item
    refused in the middle leaves nothing behind, and an unrelated article gets its own story."""
    items = [{"source": f"outlet-{i}", "external_id": p.stem, "title": "T", "body": p.read_text(encoding="utf-8")}
             for i, p in enumerate(SEEDS)]
    items.insert(2, {"source": "outlet-x", "external_id": "bad", "title": "T", "body": "<p>", "content_type": "text/html"})
    items.append({"source": "outlet-9", "external_id": "council", "title": "T", "body": UNRELATED})
    response = token_client.post("/api/v1/articles/batch/", {"articles": items}, format="json")  # type: ignore[attr-defined]
    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert "errors" in results[2] and not Article.objects.filter(external_id="bad").exists()
    ids = [r["id"] for r in results if "id" in r]
    assert set(Article.objects.filter(pk__in=ids).values_list("story_id", flat=True)) == {None}
    run_jobs(ids)
    stories = dict(Article.objects.filter(pk__in=ids).values_list("external_id", "story_id"))
    assert None not in stories.values()
    council = stories.pop("council")
    assert len(set(stories.values())) == 1 and council not in stories.values()
