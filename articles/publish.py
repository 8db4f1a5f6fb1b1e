"""Publishing canonical versions, corrections after publication, and a story's canonical copy."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from articles.audit import record_event, sha256_text
from articles.models import Article, Publication, Revision, Story
from corrections.intake import count_pending
from newsroom.roles import check_role


class PublishRefused(Exception):
    """Base of the reasons a publication is refused; ``field`` names the input at fault."""

    field = "non_field_errors"


class PendingSuggestions(PublishRefused):
    """Suggestions are pending on the revision and the publisher did not confirm (API: 409)."""

    field = "confirm_pending"

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} suggestion{'s are' if count != 1 else ' is'} still pending on this revision; "
            "decide them, or confirm that you publish anyway (confirm_pending: true)"
        )
        self.count = count


class AlreadyPublished(PublishRefused):
    """The revision is already the published version (API: 409)."""

    field = "revision"


class Withdrawn(PublishRefused):
    """Its supplier killed or withheld the article (articles.withdraw) (API: 409)."""

    field = "article"


class CorrectionNoteRequired(PublishRefused):
    """Republishing a published article is a correction and needs a public note (API: 400)."""

    field = "correction_note"


@transaction.atomic
def publish_revision(
    *,
    article_id: int,
    revision_number: int,
    actor: User,
    confirm_pending: bool = False,
    correction_note: str = "",
) -> Publication:
    """Make revision ``revision_number`` the article's canonical version.

    The first publication needs no note; every later one corrects the previous publication and
    needs a public ``correction_note``. Raises PermissionDenied (not a publisher),
    Revision.DoesNotExist, Withdrawn, PendingSuggestions, AlreadyPublished, CorrectionNoteRequired. Locks the
    article row, so concurrent requests publish once.
    """
    check_role(actor, "publisher")
    article = Article.objects.select_for_update().get(pk=article_id)
    revision = Revision.objects.get(article=article, number=revision_number)
    if article.status == Article.Status.WITHDRAWN:
        raise Withdrawn(f"this article is {article.status_detail or 'withdrawn by its supplier'}; it cannot be "
                        "published until the supplier sends a usable version")
    previous = article.publications.order_by("-number").first()
    if previous is not None and previous.revision_id == revision.pk:
        raise AlreadyPublished(f"revision {revision_number} is already published (publication {previous.number})")
    note = correction_note.strip()
    if previous is not None and not note:
        raise CorrectionNoteRequired(
            "this article is published already: a new publication is a correction and needs a public "
            "correction note (e.g. 'An earlier version misspelled the name of ...')"
        )
    pending = count_pending(revision)
    if pending and not confirm_pending:
        raise PendingSuggestions(pending)
    publication = Publication.objects.create(
        article=article,
        number=1 if previous is None else previous.number + 1,
        revision=revision,
        text_sha256=revision.text_sha256,
        published_by=actor,
        corrects=previous,
        correction_note=note if previous is not None else "",
    )
    article.status = Article.Status.PUBLISHED
    article.status_detail = ""
    article.save(update_fields=["status", "status_detail", "updated_at"])
    record_event(
        action="publication.corrected" if previous is not None else "publication.created",
        actor=actor, obj=publication, article_id=article.pk, revision_number=revision.number,
        before=previous.revision.text if previous is not None else None, after=revision.text,
        detail={"number": publication.number, "pending_confirmed": pending if confirm_pending else 0,
                "title_sha256": sha256_text(revision.title),
                **({"correction_note": note} if previous is not None else {})},
    )
    return publication


@transaction.atomic
def set_story_canonical(*, story_id: int, article_id: int, actor: User) -> Story:
    """Pick one outlet's copy as the story's canonical version. Raises PermissionDenied
    (not an editor) or Article.DoesNotExist (the article is not in the story)."""
    check_role(actor, "editor")
    story = Story.objects.select_for_update().get(pk=story_id)
    article = Article.objects.get(pk=article_id, story=story)
    before = story.canonical_article_id
    story.canonical_article = article
    story.save(update_fields=["canonical_article"])
    record_event(action="story.canonical_set", actor=actor, obj=story, article_id=article.pk,
                 detail={"previous_article": before, "article": article.pk})
    return story
