"""OpenAPI descriptions drf-spectacular cannot infer: our token authentication, and exactly what
our strict input fields accept (so the schema never promises more or less than validation)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "articles.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; create a key with `manage.py create_api_token NAME`.",
        }


class StrictSerializerScheme(OpenApiSerializerExtension):
    """A StrictSerializer refuses unknown fields: say so with additionalProperties: false."""

    target_class = "articles.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class TextFieldScheme(OpenApiSerializerFieldExtension):
    """A TextField is a string matching its ``schema_pattern`` (no NUL, at the least)."""

    target_class = "articles.serializers.TextField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = self.target.schema_pattern
        return schema


class BatchArticlesScheme(OpenApiSerializerFieldExtension):
    """The batch items are articles (checked one by one, so the field itself takes any JSON)."""

    target_class = "articles.serializers.BatchArticlesField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        from articles.serializers import ArticleIn

        item = auto_schema.resolve_serializer(ArticleIn, direction)
        return {"type": "array", "items": item.ref, "minItems": 1, "description": self.target.help_text}
