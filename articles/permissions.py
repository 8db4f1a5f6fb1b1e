"""Who may see and do what through the API."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from articles.models import ApiClient, Article
from newsroom.roles import has_role


def acting_client(request: Request) -> ApiClient | None:
    """The token's client when the request came with a token, else None."""
    return request.auth if isinstance(request.auth, ApiClient) else None


def acting_user(request: Request) -> User | None:
    """The Django user behind the request (session, or a token tied to a user), else None."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def required_client(request: Request) -> ApiClient:
    """The token's client; for views whose permissions already demand one."""
    client = acting_client(request)
    if client is None:
        raise NotAuthenticated("This needs an API token (Authorization: Token <key>).")
    return client


def required_user(request: Request) -> User:
    """The requesting user; for views whose permissions already demand a role."""
    user = acting_user(request)
    if user is None:
        raise NotAuthenticated("This needs a signed-in user or a user's token.")
    return user


def visible_articles(request: Request) -> QuerySet[Article]:
    """Articles the requester may read: all for viewers and up; a plain client sees its own."""
    user = acting_user(request)
    if user is not None and has_role(user, "viewer"):
        return Article.objects.all()
    client = acting_client(request)
    if client is not None and client.user_id is None:
        return Article.objects.filter(client=client)
    return Article.objects.none()


class IsIngestClient(BasePermission):
    message = "Ingestion needs an API token (Authorization: Token <key>)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return acting_client(request) is not None


class CanReadArticles(BasePermission):
    message = "Reading articles needs an API token or the viewer role."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if acting_client(request) is not None:
            return True
        return has_role(acting_user(request), "viewer")


class RolePermission(BasePermission):
    role = "viewer"

    @property
    def message(self) -> str:
        return f"This needs the {self.role} role."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return has_role(acting_user(request), self.role)


class IsEditor(RolePermission):
    role = "editor"


class IsPublisher(RolePermission):
    role = "publisher"


class IsAdmin(RolePermission):
    role = "admin"
