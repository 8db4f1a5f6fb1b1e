"""The desk's cross-article decision: preview a change over every article that has it pending,
apply it in one POST, see what it did, undo it. Adapters around corrections.bulk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corrections import bulk, desk, review
from corrections.forms import BulkApplyForm, BulkPreviewForm
from corrections.models import Alias, BulkDecision, Suggestion
from corrections.views import editor_required


@dataclass(frozen=True, slots=True)
class ShownSentence:
    """A sentence of the preview as pieces (text escaped by the template, hidden characters as badges)."""

    sentence: bulk.Sentence
    before: list[desk.Piece]
    original: list[desk.Piece]
    replacement: list[desk.Piece]
    after: list[desk.Piece]


def _shown(sentence: bulk.Sentence) -> ShownSentence:
    return ShownSentence(sentence=sentence, before=desk.visible_pieces(sentence.before),
                         original=desk.visible_pieces(sentence.original),
                         replacement=desk.visible_pieces(sentence.replacement),
                         after=desk.visible_pieces(sentence.after))


def _preview_page(request: HttpRequest, original: str, replacement: str, status: int = 200) -> HttpResponse:
    preview = bulk.preview_change(original, replacement)
    rows = [(a, desk.visible_pieces(a.article.title[:200]), [_shown(s) for s in a.sentences]) for a in preview.articles]
    return render(request, "corrections/decision_preview.html",
                  {"preview": preview, "rows": rows, "original": desk.visible_pieces(original),
                   "replacement": desk.visible_pieces(replacement),
                   "form": BulkApplyForm(initial={"original": original, "replacement": replacement})},
                  status=status)


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    messages.error(request, message)
    return render(request, "corrections/decision_preview.html", {"preview": None}, status=status)


@require_GET
@editor_required
def decision_preview(request: HttpRequest) -> HttpResponse:
    """The articles a change would touch, by suggestion (from its card) or by original and
    replacement (from the gazetteer)."""
    form = BulkPreviewForm(request.GET)
    if not form.is_valid():
        return _refused(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    data = form.cleaned_data
    if data["suggestion"] is not None:
        s = get_object_or_404(Suggestion, pk=data["suggestion"])
        original, replacement = s.original, s.replacement
    elif data["alias"] is not None:
        original, replacement = bulk.change_for_alias(
            get_object_or_404(Alias.objects.select_related("entity"), pk=data["alias"]))
    else:
        original, replacement = data["original"], data["replacement"]
    try:
        return _preview_page(request, original, replacement)
    except bulk.NothingToDecide as ex:
        return _refused(request, str(ex))


@require_http_methods(["GET", "POST"])
@editor_required
def decisions(request: HttpRequest) -> HttpResponse:
    """GET: the recent cross-article decisions. POST: apply the previewed one."""
    if request.method == "POST":
        form = BulkApplyForm(request.POST)
        if not form.is_valid():
            return _refused(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        data = form.cleaned_data
        try:
            decision = bulk.apply_change(original=data["original"], replacement=data["replacement"],
                                         seen=[bulk.Seen(a, r) for a, r in data["seen"]], actor=request.user)
        except bulk.NothingToDecide as ex:
            messages.error(request, str(ex))
            return _preview_page(request, data["original"], data["replacement"], status=400)
        applied = decision.articles.filter(status="applied").count()
        skipped = decision.articles.filter(status="skipped").count()
        text = f"Applied to {applied} article{'s' if applied != 1 else ''}"
        messages.success(request, text + (f"; {skipped} skipped (see why below)." if skipped else "."))
        return redirect("desk:decision", decision_id=decision.pk)
    page = Paginator(BulkDecision.objects.select_related("created_by").order_by("-id"), 50).get_page(
        request.GET.get("page"))
    rows = [(d, desk.plain_visible(d.original[:60]), desk.plain_visible(d.replacement[:60])) for d in page]
    return render(request, "corrections/decisions.html", {"page": page, "rows": rows})


def _decision_context(decision: BulkDecision) -> dict[str, Any]:
    rows = list(decision.articles.select_related("article__source", "result_revision", "undo_revision")
                .order_by("article_id"))
    return {"decision": decision, "rows": [(row, desk.visible_pieces(row.article.title[:200])) for row in rows],
            "original": desk.visible_pieces(decision.original), "replacement": desk.visible_pieces(decision.replacement),
            "can_undo": any(row.status in ("applied", "not_undone") for row in rows)}


@require_GET
@editor_required
def decision_page(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(BulkDecision.objects.select_related("created_by", "undone_by"), pk=decision_id)
    return render(request, "corrections/decision.html", _decision_context(decision))


@require_POST
@editor_required
def decision_undo(request: HttpRequest, decision_id: int) -> HttpResponse:
    try:
        decision = bulk.undo_change(decision_id=decision_id, actor=request.user)
    except BulkDecision.DoesNotExist:
        raise Http404("No such decision.") from None
    except review.InvalidDecision as ex:
        messages.error(request, str(ex))
        return redirect("desk:decision", decision_id=decision_id)
    not_undone = decision.articles.filter(status="not_undone").count()
    if not_undone:
        messages.error(request, f"Undone where the change still stood; {not_undone} article"
                                f"{'s' if not_undone != 1 else ''} could not be undone (see why below).")
    else:
        messages.success(request, "Undone on every article it changed.")
    return redirect("desk:decision", decision_id=decision_id)
