"""The editors' desk: server-rendered pages, each action a real POST form; htmx swaps fragments.

Views parse input, call one function of corrections.review (decisions), corrections.learning
(gazetteer and house style) or corrections.desk (what to show), and render. A refused decision
(someone else changed the article) answers 409 with the current state, never a silent merge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article, Publication, Revision, Source, Story
from articles.publish import (
    AlreadyPublished,
    CorrectionNoteRequired,
    PendingSuggestions,
    PublishRefused,
    Withdrawn,
    publish_revision,
    set_story_canonical,
)
from corrections import bulk, desk, groups, jobs, learning, ops, review, review_paging
from corrections.budget import NOTICE_KIND
from corrections.forms import (
    AcceptAllForm,
    AliasForm,
    AuditFilterForm,
    DecideForm,
    EditTextForm,
    EntityForm,
    GroupDecideForm,
    OpsForm,
    PublishForm,
    QueueFilterForm,
    RevertForm,
    ReviewPlaceForm,
    SearchForm,
    SeenRevisionForm,
    StoryCanonicalForm,
    StyleRuleForm,
    ToggleForm,
)
from corrections.models import (
    REVISION_BULK,
    Alias,
    Entity,
    PipelineJob,
    StyleRule,
    Suggestion,
    Suppression,
)
from corrections.pipeline import pass_modules
from newsroom.roles import check_role, has_role

View = Callable[..., HttpResponse]


def role_required(role: str) -> Callable[[View], View]:
    """The view needs ``role`` (or a higher one): anonymous users go to the login page, users
    without the role get 403. Roles are ordered: viewer < editor < publisher < admin."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_role(request.user, role)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# Viewing the desk and deciding need the editor role; publishing needs publisher; changing the
# gazetteer and the house style by hand needs admin (editors teach them through their decisions).
viewer_required = role_required("viewer")
editor_required = role_required("editor")
publisher_required = role_required("publisher")
admin_required = role_required("admin")


def _check_may_change_reference(request: HttpRequest) -> None:
    """Reading the gazetteer and house style is an editor's; changing them by hand an admin's."""
    if request.method == "POST":
        check_role(request.user, "admin")


def known_kinds() -> list[str]:
    return sorted({kind for module in pass_modules() for kind in module.KINDS})


# --- queue ---------------------------------------------------------------------------------------------


@require_GET
@editor_required
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = desk.QueueFilters(
        status=data.get("status", Article.Status.IN_REVIEW) if form.is_bound else Article.Status.IN_REVIEW,
        source=data.get("source", ""), kind=data.get("kind", ""), story=data.get("story"), q=data.get("q", ""),
        newest_first=data.get("sort") != "oldest",  # newest first unless asked
    )
    page = desk.queue_page(filters, cursor=data.get("after") or None)
    next_query = None
    if page.next_cursor:
        params = request.GET.copy()
        params["after"] = page.next_cursor
        next_query = params.urlencode()
    first_query = None
    if data.get("after"):
        params = request.GET.copy()
        params.pop("after", None)
        first_query = params.urlencode() or "status=" + filters.status
    context = {
        "form": form, "filters": filters, "page": page, "next_query": next_query, "first_query": first_query,
        "sources": Source.objects.values_list("slug", flat=True)[:500], "kinds": known_kinds(),
        "statuses": Article.Status.choices,
    }
    return render(request, "corrections/queue.html", context)


# --- review page -----------------------------------------------------------------------------------------


def review_context(article: Article, user: Any, section: int | None = None, at: int | None = None) -> dict[str, Any]:
    """The review page: one section of the text (``section``, or the one holding offset ``at``)
    with its suggestions in place, the article's notices and groups first (corrections.review_paging)."""
    revision = Revision.objects.select_related("created_by_user", "created_by_client").get(
        article_id=article.pk, number=article.revision_number)
    window, pending = review_paging.load_window(revision, section=section, at=at)
    title_segments, title_cards = desk.review_layout(revision.title, window.title_shown)
    segments, cards = desk.review_layout(revision.text, window.shown, window=(window.current.start, window.current.end))
    cards = title_cards + cards  # the headline's first, as the page reads
    preview = reverse("desk:decision-preview")
    for card in cards:
        card.decide_url = reverse("desk:decide", args=[card.suggestion.pk])
        if bulk.is_offered(card.suggestion):
            card.everywhere_url = f"{preview}?suggestion={card.suggestion.pk}"
    kinds = Counter(s.kind for s in pending)
    return {
        "article": article, "revision": revision, "segments": segments, "window": window,
        "cards": [c for c in cards if c.suggestion.pk not in window.group_of and c.suggestion.kind != NOTICE_KIND],
        "pending_total": len(pending),
        "title_segments": title_segments, "plain_title": desk.plain_visible(revision.title),
        "kind_counts": sorted(kinds.items(), key=lambda kn: (-kn[1], kn[0])),
        "decisions": [(d, desk.visible_pieces(d.original[:80]), desk.visible_pieces(d.replacement[:80]))
                      for d in desk.recent_decisions(article)],
        "story_copies": desk.story_copies(article, desk.names_in_question(pending)),
        "hidden_in_text": desk.hidden_count(revision.text) if article.invisible_chars else 0,
        "can_publish": has_role(user, "publisher"),
        "latest_publication": desk.latest_publication(article),
        "canonical_copy": desk.canonical_copy(article),
    }


def _place(request: HttpRequest, at: int | None = None) -> dict[str, int | None]:
    """Which section of the review to show after a decision: the one the form says, the one the
    page was on (htmx tells), else the one holding the decided suggestion."""
    form = ReviewPlaceForm(request.POST if request.method == "POST" and "section" in request.POST else None)
    if form.is_bound and form.is_valid() and form.cleaned_data["section"]:
        return {"section": form.cleaned_data["section"], "at": None}
    current = getattr(getattr(request, "htmx", None), "current_url", None)
    if current:
        query = ReviewPlaceForm(QueryDict(urlsplit(current).query))
        if query.is_valid() and query.cleaned_data["section"]:
            return {"section": query.cleaned_data["section"], "at": None}
    return {"section": None, "at": at}


def _article(article_id: int) -> Article:
    return get_object_or_404(Article.objects.select_related("source", "story"), pk=article_id)


@require_GET
@editor_required
def review_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    form = ReviewPlaceForm(request.GET)
    if not form.is_valid():
        messages.error(request, "The section and position must be whole numbers; showing the first section.")
        return render(request, "corrections/review.html", review_context(article, request.user), status=400)
    return render(request, "corrections/review.html",
                  review_context(article, request.user, section=form.cleaned_data["section"],
                                 at=form.cleaned_data["at"]))


def _respond(request: HttpRequest, article_id: int, status: int = 200, at: int | None = None) -> HttpResponse:
    """After a decision (or its refusal): the fresh review fragment for htmx, else the page, at
    the section the editor was working on."""
    place = _place(request, at)
    if getattr(request, "htmx", False):
        return render(request, "corrections/review.html#review",
                      review_context(_article(article_id), request.user, **place), status=status)
    if status == 200:
        query = {k: v for k, v in place.items() if v is not None}
        if "at" in query and not review_paging.is_paged(article_id):
            query = {}
        return HttpResponseRedirect(reverse("desk:review", args=[article_id])
                                    + (f"?{urlencode(query)}" if query else ""))
    return render(request, "corrections/review.html", review_context(_article(article_id), request.user, **place),
                  status=status)


def _refused(request: HttpRequest, article_id: int, ex: Exception | str, status: int) -> HttpResponse:
    messages.error(request, str(ex))
    return _respond(request, article_id, status)


def _done(request: HttpRequest, outcome: review.Outcome) -> HttpResponse:
    text = outcome.message
    if outcome.created_revision:
        text += f" — now revision {outcome.revision.number}"
    messages.success(request, text)
    return _respond(request, outcome.article.pk, at=min((s.start for s in outcome.suggestions), default=None))


def _decision(request: HttpRequest, article_id: int, form: SeenRevisionForm,
              decide: Callable[[dict[str, Any]], review.Outcome]) -> HttpResponse:
    """Validate the form, run one decision, and answer with the fresh review (409 when stale)."""
    if not form.is_valid():
        errors = " ".join(str(e) for e in form.non_field_errors())
        return _refused(request, article_id, errors or "The form was incomplete; nothing was changed.", 400)
    try:
        outcome = decide(form.cleaned_data)
    except (Article.DoesNotExist, Suggestion.DoesNotExist):
        raise Http404("No such article or suggestion.") from None
    except (review.StaleRevision, review.AlreadyDecided) as ex:
        return _refused(request, article_id, ex, 409)
    except review.InvalidDecision as ex:
        return _refused(request, article_id, ex, 400)
    return _done(request, outcome)


DECISIONS: dict[str, Callable[..., review.Outcome]] = {
    "accept": review.accept_suggestion,
    "reject": review.reject_suggestion,
    "always": review.always_correct,
}


@require_POST
@editor_required
def suggestion_decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """One form per suggestion; its buttons say accept, reject, edit (with a replacement) or always."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("revision").defer(*REVISION_BULK), pk=suggestion_id)

    def decide(data: dict[str, Any]) -> review.Outcome:
        if data["action"] == "edit":
            return review.edit_suggestion(suggestion_id=suggestion_id, seen_revision=data["revision"],
                                          actor=request.user, replacement=data["replacement"])
        return DECISIONS[data["action"]](suggestion_id=suggestion_id, seen_revision=data["revision"],
                                         actor=request.user)

    form = DecideForm(request.POST, keep_crlf="\r" in suggestion.original)
    return _decision(request, suggestion.revision.article_id, form, decide)


GROUP_DECISIONS: dict[str, Callable[..., review.Outcome]] = {
    "accept": groups.accept_group,
    "reject": groups.reject_group,
}


@require_POST
@editor_required
def suggestion_group_decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """Accept or reject every pending suggestion identical to this one (its group's card)."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("revision").defer(*REVISION_BULK), pk=suggestion_id)
    return _decision(request, suggestion.revision.article_id, GroupDecideForm(request.POST),
                     lambda data: GROUP_DECISIONS[data["action"]](suggestion_id=suggestion_id,
                                                                 seen_revision=data["revision"], actor=request.user))


@require_POST
@editor_required
def article_accept_all(request: HttpRequest, article_id: int) -> HttpResponse:
    return _decision(request, article_id, AcceptAllForm(request.POST), lambda data: review.accept_all(
        article_id=article_id, seen_revision=data["revision"], actor=request.user, kind=data["kind"] or None,
        min_confidence=data["min_confidence"]))


@require_POST
@editor_required
def article_undo(request: HttpRequest, article_id: int) -> HttpResponse:
    return _decision(request, article_id, SeenRevisionForm(request.POST), lambda data: review.undo_last_decision(
        article_id=article_id, seen_revision=data["revision"], actor=request.user))


# --- manual edit, history, revert --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editor_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    current = Revision.objects.get(article=article, number=article.revision_number)
    keep_crlf = "\r\n" in current.text
    # A title with invisible or bidi control characters is never put raw in a page (not even in a
    # box): it is shown with badges, and its characters are removed through its suggestions.
    with_title = desk.hidden_count(current.title) == 0
    conflict = None
    status = 200
    if request.method == "POST":
        form = EditTextForm(request.POST, keep_crlf=keep_crlf, keep_title_crlf="\r\n" in current.title,
                            with_title=with_title)
        if form.is_valid():
            try:
                outcome = review.edit_text(article_id=article.pk, seen_revision=form.cleaned_data["revision"],
                                           actor=request.user, text=form.cleaned_data["text"],
                                           reason=form.cleaned_data["reason"], title=form.cleaned_data.get("title"))
            except review.StaleRevision as ex:
                # Keep the editor's text; show what changed meanwhile; re-saving is a deliberate act.
                conflict = {"error": str(ex), "diff": desk.readable_diff(current.text, ex.proposed_text or "")}
                form = EditTextForm(initial={"revision": current.number, "text": ex.proposed_text,
                                             "title": form.cleaned_data.get("title") or current.title,
                                             "reason": form.cleaned_data["reason"]}, with_title=with_title)
                status = 409
            except review.InvalidDecision as ex:
                form.add_error(None, str(ex))
                status = 400
            else:
                messages.success(request, f"{outcome.message}.")
                return redirect("desk:review", article_id=article.pk)
        else:
            status = 400
    else:
        form = EditTextForm(initial={"revision": current.number, "title": current.title, "text": current.text},
                            with_title=with_title)
    return render(request, "corrections/edit.html",
                  {"article": article, "plain_title": desk.plain_visible(current.title), "revision": current,
                   "title": desk.visible_pieces(current.title),
                   "form": form, "conflict": conflict, "hidden_in_text": desk.hidden_count(current.text)},
                  status=status)


@require_GET
@editor_required
def article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    revisions = list(
        Revision.objects.filter(article=article).select_related("created_by_user", "created_by_client")
        .order_by("-number")[:31]
    )
    entries: list[dict[str, Any]] = []
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        if len(entries) == 30:
            break
        diff = desk.readable_diff(older.text, newer.text) if older is not None else []
        title_diff = (desk.readable_diff(older.title, newer.title)
                      if older is not None and older.title != newer.title else [])
        entries.append({"revision": newer, "diff": diff, "title_diff": title_diff,
                        "is_current": newer.number == article.revision_number})
    return render(request, "corrections/history.html",
                  {"article": article, "plain_title": desk.plain_visible(article.title), "entries": entries})


@require_POST
@editor_required
def article_revert(request: HttpRequest, article_id: int) -> HttpResponse:
    form = RevertForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The revert form was incomplete; nothing was changed.")
        return redirect("desk:history", article_id=article_id)
    try:
        outcome = review.revert_to_revision(article_id=article_id, seen_revision=form.cleaned_data["revision"],
                                            actor=request.user, number=form.cleaned_data["number"])
    except (review.StaleRevision, review.InvalidDecision) as ex:
        messages.error(request, str(ex))
        return redirect("desk:history", article_id=article_id)
    messages.success(request, f"{outcome.message} — now revision {outcome.revision.number}.")
    return redirect("desk:history", article_id=article_id)


# --- gazetteer and house style ---------------------------------------------------------------------------


@require_GET
@editor_required
def gazetteer(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_bound and form.is_valid() else ""
    entities = Entity.objects.all()
    if q:
        entities = entities.filter(Q(name__icontains=q) | Q(aliases__surface__icontains=q)).distinct()
    page = Paginator(entities.order_by("name", "id").prefetch_related(
        Prefetch("aliases", queryset=Alias.objects.order_by("surface"))), 50).get_page(request.GET.get("page"))
    learned = Alias.objects.exclude(origin=Alias.Origin.SEED).select_related("entity", "created_by").order_by(
        "-created_at")[:20]
    suppressions = Suppression.objects.select_related("created_by").order_by("-created_at")[:20]
    return render(request, "corrections/gazetteer.html",
                  {"form": form, "q": q, "page": page, "learned": learned, "suppressions": suppressions,
                   "can_manage": has_role(request.user, "admin")})


@require_http_methods(["GET", "POST"])
@editor_required
def entity_edit(request: HttpRequest, entity_id: int | None = None) -> HttpResponse:
    if entity_id is None:
        check_role(request.user, "admin")  # the new-entity page is only a form
    _check_may_change_reference(request)
    entity = get_object_or_404(Entity, pk=entity_id) if entity_id else Entity(origin="editor")
    form = EntityForm(request.POST or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        saved = learning.save_reference(form.save(commit=False), request.user)
        messages.success(request, f"Saved {saved}.")
        return redirect("desk:entity", entity_id=saved.pk)
    aliases = entity.aliases.select_related("created_by").order_by("surface") if entity.pk else []
    alias_form = AliasForm(entity=entity) if entity.pk else None
    return render(request, "corrections/entity.html", {"entity": entity, "form": form, "aliases": aliases,
                                                       "alias_form": alias_form,
                                                       "can_manage": has_role(request.user, "admin")},
                  status=400 if request.method == "POST" else 200)


@require_POST
@admin_required
def alias_add(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = get_object_or_404(Entity, pk=entity_id)
    form = AliasForm(request.POST, entity=entity)
    if form.is_valid():
        alias = form.save(commit=False)
        learning.save_reference(alias, request.user)
        messages.success(request, f"Added the alias “{alias.surface}”.")
    else:
        messages.error(request, " ".join(str(e) for e in [*form.non_field_errors(), *form.errors.get("surface", [])]))
    return redirect("desk:entity", entity_id=entity.pk)


def _toggle(request: HttpRequest, row: Entity | Alias | StyleRule | Suppression, back: str) -> HttpResponse:
    form = ToggleForm(request.POST)
    form.is_valid()
    learning.set_enabled(row, form.cleaned_data.get("is_enabled", False), request.user)
    messages.success(request, f"{'Enabled' if row.is_enabled else 'Disabled'} {row}.")
    return HttpResponseRedirect(back)


@require_POST
@admin_required
def alias_toggle(request: HttpRequest, alias_id: int) -> HttpResponse:
    alias = get_object_or_404(Alias.objects.select_related("entity"), pk=alias_id)
    return _toggle(request, alias, reverse("desk:entity", args=[alias.entity_id]))


@require_GET
@editor_required
def suppressions(request: HttpRequest) -> HttpResponse:
    rows = Suppression.objects.select_related("created_by", "suggestion__revision").order_by("-created_at")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "corrections/suppressions.html",
                  {"page": page, "can_manage": has_role(request.user, "admin")})


@require_POST
@admin_required
def suppression_toggle(request: HttpRequest, suppression_id: int) -> HttpResponse:
    return _toggle(request, get_object_or_404(Suppression, pk=suppression_id), reverse("desk:suppressions"))


@require_http_methods(["GET", "POST"])
@editor_required
def style_rules(request: HttpRequest) -> HttpResponse:
    _check_may_change_reference(request)
    search = SearchForm(request.GET or None)
    q = search.cleaned_data["q"].strip() if search.is_bound and search.is_valid() else ""
    form = StyleRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = learning.save_reference(form.save(commit=False), request.user)
        messages.success(request, f"Added the rule {rule}.")
        return redirect("desk:style")
    rules = StyleRule.objects.select_related("created_by").order_by("pattern", "id")
    if q:
        rules = rules.filter(Q(pattern__icontains=q) | Q(replacement__icontains=q))
    page = Paginator(rules, 100).get_page(request.GET.get("page"))
    return render(request, "corrections/style.html", {"search": search, "form": form, "page": page,
                                                      "can_manage": has_role(request.user, "admin")},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@editor_required
def style_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    _check_may_change_reference(request)
    rule = get_object_or_404(StyleRule, pk=rule_id)
    form = StyleRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        learning.save_reference(form.save(commit=False), request.user)
        messages.success(request, f"Saved the rule {rule}.")
        return redirect("desk:style")
    return render(request, "corrections/style_rule.html",
                  {"rule": rule, "form": form, "can_manage": has_role(request.user, "admin")},
                  status=400 if request.method == "POST" else 200)


# --- publishing ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@publisher_required
def article_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    """Publish the revision the publisher saw. Pending suggestions ask for a confirmation first (409,
    a page with a "Publish anyway" button); a correction needs a public note (400 without one)."""
    article = _article(article_id)
    status = 200
    confirm = 0
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                publication = publish_revision(article_id=article.pk, revision_number=data["revision"],
                                               actor=cast(User, request.user), confirm_pending=data["confirm_pending"],
                                               correction_note=data["correction_note"])
            except Revision.DoesNotExist:
                form.add_error("revision", "This article has no such revision.")
                status = 400
            except PendingSuggestions as ex:
                confirm, status = ex.count, 409
            except CorrectionNoteRequired:
                form.add_error("correction_note", "Write the public correction note: this article is published "
                                                  "already, so a new publication is a correction.")
                status = 400
            except (AlreadyPublished, Withdrawn) as ex:
                form.add_error(None, f"Nothing was published: {ex}.")
                status = 409
            except PublishRefused as ex:
                form.add_error(ex.field if ex.field in form.fields else None, str(ex))
                status = 400
            else:
                kind = "a correction" if publication.number > 1 else "the canonical version"
                messages.success(request, f"Published revision {data['revision']} as {kind} "
                                          f"(publication {publication.number}).")
                return redirect("desk:published", article_id=article.pk)
        else:
            status = 400
        number = form.cleaned_data.get("revision") or article.revision_number
    else:
        number = article.revision_number
        form = PublishForm(initial={"revision": number})
    try:
        state = desk.publish_state(article, number)
    except Revision.DoesNotExist:
        state = desk.publish_state(article, article.revision_number)
    return render(request, "corrections/publish.html",
                  {"article": article, "plain_title": desk.plain_visible(article.title), "form": form,
                   "state": state, "confirm": confirm}, status=status)


@require_GET
@viewer_required
def article_published(request: HttpRequest, article_id: int, number: int | None = None) -> HttpResponse:
    """A publication exactly as published (the latest by default), with the public correction notes
    and every other publication of the article."""
    article = _article(article_id)
    try:
        view = desk.published_view(article, number)
    except Publication.DoesNotExist:
        raise Http404("This article has no such publication.") from None
    published_title = view.publication.revision.title
    return render(request, "corrections/published.html",
                  {"article": article, "plain_title": desk.plain_visible(published_title), "view": view,
                   "title": desk.visible_pieces(published_title), "is_editor": has_role(request.user, "editor"),
                   "can_publish": has_role(request.user, "publisher")})


# --- stories --------------------------------------------------------------------------------------------


def _story_context(story: Story) -> dict[str, Any]:
    return {"story": story, "members": desk.story_members(story), "title": desk.visible_pieces(story.title)}


@require_GET
@editor_required
def story_page(request: HttpRequest, story_id: int) -> HttpResponse:
    return render(request, "corrections/story.html", _story_context(get_object_or_404(Story, pk=story_id)))


@require_POST
@editor_required
def story_canonical(request: HttpRequest, story_id: int) -> HttpResponse:
    """Mark one outlet's copy as the story's canonical version."""
    story = get_object_or_404(Story, pk=story_id)
    form = StoryCanonicalForm(request.POST)
    try:
        if not form.is_valid():
            raise Article.DoesNotExist
        set_story_canonical(story_id=story.pk, article_id=form.cleaned_data["article"],
                            actor=cast(User, request.user))
    except Article.DoesNotExist:
        messages.error(request, "Choose a copy of this story; nothing was changed.")
        return render(request, "corrections/story.html", _story_context(story), status=400)
    messages.success(request, f"Article {form.cleaned_data['article']} is now the canonical copy of story {story.pk}.")
    return redirect("desk:story", story_id=story.pk)


# --- audit trail ------------------------------------------------------------------------------------


@require_GET
@editor_required
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = desk.AuditFilters(article=data.get("article"), actor=data.get("actor") or "",
                                action=data.get("action") or "")
    page = desk.audit_page(filters, before=data.get("before"))
    params = request.GET.copy()
    params.pop("before", None)
    first_query = params.urlencode() if data.get("before") else None
    next_query = None
    if page.next_before is not None:
        params["before"] = str(page.next_before)
        next_query = params.urlencode()
    return render(request, "corrections/audit.html",
                  {"form": form, "filters": filters, "page": page, "actions": desk.AUDIT_ACTIONS,
                   "next_query": next_query, "first_query": first_query},
                  status=400 if form.is_bound and not form.is_valid() else 200)


# --- operations ---------------------------------------------------------------------------------------


@require_GET
@admin_required
def ops_page(request: HttpRequest) -> HttpResponse:
    form = OpsForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Pass quality is grouped by rule, pass or source; showing it by rule.")
        return render(request, "corrections/ops.html", {"view": ops.ops_view()}, status=400)
    return render(request, "corrections/ops.html", {"view": ops.ops_view(form.cleaned_data["quality"] or "rule")})


@require_POST
@admin_required
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """Retry a failed pipeline job: fresh attempts, published again (409 when it is not failed)."""
    try:
        job = jobs.retry_job(job_id=job_id, actor=request.user)
    except PipelineJob.DoesNotExist:
        raise Http404("No such job.") from None
    except jobs.JobNotFailed as ex:
        messages.error(request, str(ex))
        return render(request, "corrections/ops.html", {"view": ops.ops_view()}, status=409)
    messages.success(request, f"Job {job.pk} is queued again with {job.max_attempts} fresh attempts.")
    return redirect("desk:ops")
