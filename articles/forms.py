"""Input of the feeds page. Validation only: what happens lives in articles.feeds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from articles.feed_addresses import ForbiddenDestination, check_feed_url
from articles.feeds import FeedSettings
from articles.models import Feed
from articles.serializers import SOURCE_PATTERN


class FeedForm(forms.Form):
    """A feed's settings. The password field is never filled in from the stored one: left empty it
    keeps it; "Remove the password" removes it."""

    url = forms.URLField(label="URL", max_length=2000, assume_scheme="https")
    kind = forms.ChoiceField(choices=Feed.Kind.choices, initial=Feed.Kind.DETECT)
    source = forms.CharField(required=False, max_length=100, validators=[RegexValidator(SOURCE_PATTERN)],
                             help_text="Source slug of its articles; empty: the document's provider, else the host.")
    interval = forms.IntegerField(min_value=30, max_value=7 * 24 * 3600, initial=300, help_text="Seconds between polls.")
    is_enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    username = forms.CharField(required=False, max_length=200, help_text="HTTP Basic user, if the feed needs one.")
    password = forms.CharField(required=False, max_length=500, strip=False, widget=forms.PasswordInput(render_value=False),
                               help_text="Stored encrypted, never shown. Leave empty to keep the one set.")
    remove_password = forms.BooleanField(required=False, label="Remove the password")

    def __init__(self, *args: Any, has_password: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_password:
            del self.fields["remove_password"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_feed_url(url)
        except ForbiddenDestination as ex:
            raise forms.ValidationError(str(ex)) from None
        return url

    def settings(self) -> FeedSettings:
        data = self.cleaned_data
        password: str | None = data["password"] or None
        if data.get("remove_password"):
            password = ""
        return FeedSettings(url=data["url"], kind=data["kind"], source=data["source"], interval=data["interval"],
                            is_enabled=data["is_enabled"], username=data["username"], password=password)


def initial_for(feed: Feed) -> dict[str, Any]:
    return {name: getattr(feed, name) for name in ("url", "kind", "source", "interval", "is_enabled", "username")}
