"""Stories: the five outlets' copies of one event cluster together; an unrelated article does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.models import Article
from articles.stories import estimate_similarity, minhash_of, story_features
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


def test_seed_copies_form_one_story_and_an_unrelated_article_its_own() -> None:
    client = create_api_token("stories")[0]
    ids = [ingest(client, source=f"outlet-{i}", external_id=p.stem, body=p.read_text(encoding="utf-8")).article.pk
           for i, p in enumerate(SEEDS)]
    other = ingest(client, source="outlet-9", external_id="council", body=UNRELATED).article
    stories = set(Article.objects.filter(pk__in=ids).values_list("story_id", flat=True))
    assert len(stories) == 1
    assert Article.objects.get(pk=other.pk).story_id not in stories


def test_a_new_copy_refreshes_the_consensus_suggestions_of_its_siblings() -> None:
    """Seed 000 arrives first, alone: its names get no cross-outlet evidence. When the others
    arrive, their jobs refresh 000's entity suggestions with what they spell."""
    client = create_api_token("refresh")[0]
    first = ingest(client, source="outlet-0", external_id="000", body=SEEDS[0].read_text(encoding="utf-8"))
    # The test database holds no gazetteer: the names are corrected by the other outlets alone.
    pipeline.run_job(PipelineJob.objects.get(revision=first.revision).pk)
    before = set(Suggestion.objects.filter(revision=first.revision, kind="entity", status="pending")
                 .values_list("original", "replacement"))
    for i, path in enumerate(SEEDS[1:], start=1):
        outcome = ingest(client, source=f"outlet-{i}", external_id=path.stem, body=path.read_text(encoding="utf-8"))
        pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
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
    Article.objects.filter(pk=other_event.pk).update(story_id=article.story_id)  # clustered in by a neighbour
    article.refresh_from_db()
    siblings = pipeline.sibling_texts(article)
    assert [(s.source, s.article_id) for s in siblings] == [("outlet-b", same_event.pk)]


def test_a_batch_joins_its_copies_to_one_story_at_its_end(token_client: object) -> None:
    """A batch assigns stories once, after its items: copies in one batch still meet, an item
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
    stories = dict(Article.objects.filter(pk__in=ids).values_list("external_id", "story_id"))
    assert None not in stories.values()
    council = stories.pop("council")
    assert len(set(stories.values())) == 1 and council not in stories.values()
