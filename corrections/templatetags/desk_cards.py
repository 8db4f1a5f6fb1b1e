"""The review page's text with its marks and its suggestion cards, rendered in Python.

A long article has hundreds of suggestions, and each cost the template engine some fifty variable
lookups, ``with`` blocks and filters (half the page's time): this renders the same markup with
``html.escape`` applied to every value (article text, suggestion fields, URLs, the CSRF token).
The markup must stay in step with templates/corrections/review.html and static/js/desk.js, which
rely on its ids, classes and form fields.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from corrections.desk import Card, Piece, Segment

register = template.Library()


# What "Always correct" does, said before it is clicked (corrections.review.always_correct).
ALWAYS_HINT = "makes this change a rule for new copies; this one stays pending"
ALWAYS_TITLE = ("Teach the desk to propose this change wherever it appears from now on: a gazetteer alias when "
                "the replacement is a known name, else a house-style rule. This suggestion itself stays pending.")


def esc(value: object) -> str:
    """What ``{{ value }}`` prints: the text with & < > " ' escaped."""
    return html.escape(str(value), quote=True)


def pieces_html(pieces: Iterable[Piece]) -> str:
    """Text escaped, hidden characters as badges (the template's ``pieces`` partial)."""
    out = []
    for p in pieces:
        if p.hidden:
            out.append(f'<span class="hidden-char" title="{esc(p.name)}">{esc(p.label)}</span>')
        else:
            out.append(esc(p.text))
    return "".join(out)


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def _field_badge(field: str) -> str:
    """Where a suggestion that is not in the body sits ("in the headline")."""
    return ' <span class="badge field">in the headline</span>' if field == "title" else ""


def _change(card: Card) -> tuple[str, str]:
    s = card.suggestion
    original = replacement = ""
    if s.original:
        original = f"<del><bdi>{esc(s.original) if card.is_plain else pieces_html(card.original)}</bdi></del>"
    if s.replacement:
        replacement = f"<ins><bdi>{esc(s.replacement) if card.is_plain else pieces_html(card.replacement)}</bdi></ins>"
    return original, replacement


def card_html(card: Card, revision_number: int, csrf_token: str) -> str:
    s = card.suggestion
    pk, kind = int(s.pk), esc(s.kind)
    original, replacement = _change(card)
    parts = [
        f'<li class="card kind-{kind}{"" if card.is_inline else " off-text"}" id="s-{pk}" data-suggestion-id="{pk}" '
        f'data-kind="{kind}" tabindex="-1">\n'
        f'  <div class="card-head"><span class="kind">{kind}</span>{_field_badge(s.field)} <span class="conf" '
        f'title="How sure the {esc(s.pass_name)} pass is of this change, from 0 to 1">confidence '
        f'{esc(card.confidence_text)}</span> <span class="pass">{esc(s.pass_name)}</span></div>\n'
        f'  <p class="change">{original or '<span class="muted">(insert)</span>'} '
        f'<span class="arrow" aria-label="becomes">→</span> {replacement or '<span class="muted">(delete)</span>'}</p>\n'
    ]
    hidden = int(card.hidden)
    if hidden:
        parts.append(f'  <p class="warn">Contains {hidden} hidden character{_plural(hidden)}, shown as badges.</p>\n')
    if not card.is_inline:
        overlaps = "".join(f"#{int(o)} " for o in card.overlaps)
        parts.append(f'  <p class="note">Overlaps {overlaps}— shown in this list only; accepting it makes the other '
                     "stale.</p>\n")
    parts.append(f'  <p class="explanation">{esc(s.explanation)}</p>\n')
    if s.evidence:
        items = "".join(f"<li>{esc(e)}</li>" for e in s.evidence)
        parts.append(f'  <ul class="evidence">{items}</ul>\n')
    warn = (f' <span class="warn-inline">(span has {hidden} hidden character{_plural(hidden)})</span>'
            if hidden else "")
    url = esc(card.decide_url)
    parts.append(
        f'  <form class="decide" method="post" action="{url}" hx-post="{url}" hx-target="#review" hx-swap="outerHTML">\n'
        f'    <input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
        f'<input type="hidden" name="revision" value="{int(revision_number)}">\n'
        f'    <button type="submit" name="action" value="accept" class="accept">Accept{warn}</button>\n'
        '    <button type="submit" name="action" value="reject" class="reject">Reject</button>\n'
        '    <details class="edit"><summary>Edit</summary>\n'
        f'      <label for="r-{pk}">Replacement</label>\n'
        f'      <textarea id="r-{pk}" name="replacement" rows="2" dir="auto">\n{esc(s.replacement)}</textarea>\n'
        '      <button type="submit" name="action" value="edit" class="edit-accept">Accept edit</button>\n'
        "    </details>\n"
        '    <button type="submit" name="action" value="always" class="link" '
        f'title="{ALWAYS_TITLE}" aria-describedby="always-{pk}">Always correct</button>\n'
        f'    <span class="hint" id="always-{pk}">{ALWAYS_HINT}</span>\n'
        f"{_everywhere(card)}"
        "  </form>\n</li>\n"
    )
    return "".join(parts)


def _everywhere(card: Card) -> str:
    """The link to this change's preview across every article that has it pending."""
    if not card.everywhere_url:
        return ""
    return (f'    <a class="everywhere" href="{esc(card.everywhere_url)}" '
            'title="Preview this change in every article that has it pending, then apply it to all at once">'
            "Apply to every article…</a>\n")


def segments_html(segments: Iterable[Segment]) -> str:
    """The text with each suggestion in place (what was, struck through, and what it becomes)."""
    out = []
    for seg in segments:
        card = seg.card
        if card is not None:
            s = card.suggestion
            original, replacement = _change(card)
            out.append(f'<span class="mark kind-{esc(s.kind)}" data-for="{int(s.pk)}" id="m-{int(s.pk)}">'
                       f"{original}{replacement}</span>")
        else:
            plain = seg.plain
            out.append(f"<bdi>{esc(plain) if plain is not None else pieces_html(seg.pieces)}</bdi>")
    return "".join(out)


@register.simple_tag(takes_context=True)
def review_cards(context: Any, cards: Iterable[Card]) -> SafeString:
    number, token = context["revision"].number, str(context.get("csrf_token", ""))
    return mark_safe("".join(card_html(card, number, token) for card in cards))  # noqa: S308 - escaped above


@register.simple_tag
def review_text(segments: Iterable[Segment]) -> SafeString:
    return mark_safe(segments_html(segments))  # noqa: S308 - escaped above
