"""The feeds page (admins): register, edit, disable and poll feeds, and see how each one fares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from articles.feeds import create_feed, feed_health, request_poll, update_feed
from articles.forms import FeedForm, initial_for
from articles.models import Feed
from newsroom.roles import check_role

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Anonymous users go to the login page; users without the admin role get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_role(request.user, "admin")
        return view(request, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@admin_required
def feeds(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feed = create_feed(data=form.settings(), actor=cast(User, request.user))
        messages.success(request, f"Registered {feed.url}; it is polled at the next tick.")
        return redirect("feeds:list")
    return render(request, "articles/feeds.html", {"feeds": feed_health(), "form": form},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@admin_required
def feed_edit(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = get_object_or_404(Feed, pk=feed_id)
    has_password = bool(feed.password_encrypted)
    form = FeedForm(request.POST or None, initial=initial_for(feed), has_password=has_password)
    if request.method == "POST" and form.is_valid():
        feed = update_feed(feed_id=feed.pk, data=form.settings(), actor=cast(User, request.user))
        messages.success(request, f"Saved {feed.url}.")
        return redirect("feeds:list")
    return render(request, "articles/feed_edit.html", {"feed": feed, "form": form, "has_password": has_password},
                  status=400 if request.method == "POST" else 200)


@require_POST
@admin_required
def feed_poll(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = request_poll(feed_id=get_object_or_404(Feed, pk=feed_id).pk, actor=cast(User, request.user))
    messages.success(request, f"{feed.url} is polled at the next tick.")
    return redirect("feeds:list")
