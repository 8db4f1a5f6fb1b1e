"""DRF authentication by ``Authorization: Token <key>``."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from articles.audit import row_actor
from articles.models import ApiClient
from articles.tokens import InvalidToken, authenticate_key
from newsroom import db_context


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Token <key>' with no spaces in the key.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        try:
            client = authenticate_key(key)
        except InvalidToken:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if getattr(request._request, "_newsroom_db_bound", False):  # see DatabaseContextMiddleware
            db_context.set_actor(row_actor(client))
        # A client tied to a user acts as that user (an editor's token); otherwise as itself.
        return (client.user or client), client

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
