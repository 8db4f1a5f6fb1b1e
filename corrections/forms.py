"""Input of the desk's pages. Validation only: decisions live in corrections.review.

Text fields never strip whitespace (a replacement may be a space or nothing), and browsers send
textarea line breaks as CRLF, so they are turned back into the text's own line breaks.
"""

from __future__ import annotations

from typing import Any

from django import forms

from articles.models import Article
from corrections.models import Alias, Entity, StyleRule


def _lf(value: str, keep_crlf: bool) -> str:
    return value if keep_crlf else value.replace("\r\n", "\n")


class SeenRevisionForm(forms.Form):
    """Every decision carries the revision the editor was looking at."""

    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DecideForm(SeenRevisionForm):
    ACTIONS = ("accept", "reject", "edit", "always")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    replacement = forms.CharField(required=False, strip=False, max_length=10_000)

    def __init__(self, *args: Any, keep_crlf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_crlf = keep_crlf

    def clean_replacement(self) -> str:
        return _lf(self.cleaned_data.get("replacement") or "", self.keep_crlf)


class GroupDecideForm(SeenRevisionForm):
    """Accept or reject a group of identical suggestions (corrections.groups)."""

    action = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])


class ReviewPlaceForm(forms.Form):
    """Which part of a long text the review page shows: a section, or the one holding an offset."""

    section = forms.IntegerField(required=False, min_value=1, max_value=10**6)
    at = forms.IntegerField(required=False, min_value=0, max_value=10**9)


class AcceptAllForm(SeenRevisionForm):
    kind = forms.CharField(required=False, max_length=30)
    min_confidence = forms.FloatField(required=False, min_value=0, max_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("kind") and data.get("min_confidence") is None:
            raise forms.ValidationError("Choose a kind or a minimum confidence.")
        return data


class EditTextForm(SeenRevisionForm):
    # A textarea, not an input: a title may hold a line break, which an input would drop silently.
    title = forms.CharField(required=False, strip=False, max_length=2000, empty_value=None,
                            widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "spellcheck": "true"}))
    text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 24, "dir": "auto", "spellcheck": "true"}))
    reason = forms.CharField(required=False, max_length=300, help_text="Why (shown in the history).")

    def __init__(self, *args: Any, keep_crlf: bool = False, keep_title_crlf: bool = False, with_title: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_crlf = keep_crlf
        self.keep_title_crlf = keep_title_crlf
        if not with_title:
            del self.fields["title"]

    def clean_title(self) -> str | None:
        """The edited title; None when the form came without one (the title stays as it is)."""
        value = self.cleaned_data.get("title")
        if value is None or not value.strip():
            if "title" in self.data:
                raise forms.ValidationError("The title may not be empty.")
            return None
        return _lf(value, self.keep_title_crlf)

    def clean_text(self) -> str:
        return _lf(self.cleaned_data["text"], self.keep_crlf)


class RevertForm(SeenRevisionForm):
    number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "any status"), *Article.Status.choices],
                               initial=Article.Status.IN_REVIEW)
    source = forms.CharField(required=False, max_length=100)
    kind = forms.CharField(required=False, max_length=30)
    story = forms.IntegerField(required=False, min_value=1)
    q = forms.CharField(required=False, max_length=200, label="Search")
    sort = forms.ChoiceField(required=False, choices=[("newest", "newest first"), ("oldest", "oldest first")])
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ["name", "type", "description", "wikidata_id", "is_enabled"]


class AliasForm(forms.ModelForm):
    surface = forms.CharField(max_length=200, strip=True)

    class Meta:
        model = Alias
        fields = ["surface", "kind", "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.entity = entity
        self.instance.origin = Alias.Origin.EDITOR

    def clean_surface(self) -> str:
        surface: str = self.cleaned_data["surface"]
        if Alias.objects.filter(entity=self.instance.entity, surface=surface).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This entity has that alias already.")
        return surface


class StyleRuleForm(forms.ModelForm):
    exceptions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="Phrases in which the pattern stays, one per line.")

    class Meta:
        model = StyleRule
        fields = ["pattern", "replacement", "is_whole_word", "is_case_sensitive", "exceptions", "explanation",
                  "is_enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["exceptions"] = "\n".join(self.instance.exceptions)

    def clean_exceptions(self) -> list[str]:
        raw: str = self.cleaned_data.get("exceptions") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]


class ToggleForm(forms.Form):
    is_enabled = forms.BooleanField(required=False)


class PublishForm(SeenRevisionForm):
    """Publish the revision the publisher saw; a correction carries a public note. Whether the note
    is required (the article is published already) is for articles.publish to say."""

    confirm_pending = forms.BooleanField(required=False, widget=forms.HiddenInput)
    correction_note = forms.CharField(
        required=False, max_length=2000, label="Public correction note",
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text="Shown with the article, e.g. “An earlier version misspelled the name of …”.",
    )

    def clean_correction_note(self) -> str:
        return _lf(self.cleaned_data.get("correction_note") or "", keep_crlf=False)


class StoryCanonicalForm(forms.Form):
    article = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AuditFilterForm(forms.Form):
    article = forms.IntegerField(required=False, min_value=1)
    actor = forms.CharField(required=False, max_length=200)
    action = forms.CharField(required=False, max_length=50)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class OpsForm(forms.Form):
    quality = forms.ChoiceField(required=False, choices=[("rule", "rule"), ("pass", "pass"), ("source", "source")])


# --- decisions across articles ------------------------------------------------------------------


class BulkPreviewForm(forms.Form):
    """What to preview: a suggestion's change, a gazetteer alias's, or an original and replacement."""

    suggestion = forms.IntegerField(required=False, min_value=1)
    alias = forms.IntegerField(required=False, min_value=1)
    original = forms.CharField(required=False, strip=False, max_length=10_000)
    replacement = forms.CharField(required=False, strip=False, max_length=10_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("suggestion") is None and data.get("alias") is None and not data.get("original"):
            raise forms.ValidationError("Name a suggestion, an alias, or an original and its replacement.")
        return data


class SeenField(forms.Field):
    """The preview's articles as "article:revision" pairs (hidden inputs, one per article)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[tuple[int, int]]:
        pairs = []
        for item in value or []:
            article, _, revision = str(item).partition(":")
            if not (article.isdigit() and revision.isdigit()):
                raise forms.ValidationError(f"“{str(item)[:40]}” is not an article and a revision.")
            pairs.append((int(article), int(revision)))
        return pairs


class BulkApplyForm(forms.Form):
    original = forms.CharField(strip=False, max_length=10_000, widget=forms.HiddenInput)
    replacement = forms.CharField(required=False, strip=False, max_length=10_000, widget=forms.HiddenInput)
    seen = SeenField(required=False)
