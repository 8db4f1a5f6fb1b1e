"""Output shapes of the corrections API."""

from __future__ import annotations

from rest_framework import serializers

from corrections.models import Suggestion


class SuggestionOut(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="revision.number")
    # "pass" is a Python keyword, hence the declared name.
    pass_ = serializers.CharField(source="pass_name")
    field = serializers.ChoiceField(
        choices=Suggestion.Field.choices, read_only=True,
        help_text="What start and end point into: the revision's text (body) or its title.",
    )

    class Meta:
        model = Suggestion
        fields = [
            "id", "pass_", "kind", "field", "start", "end", "original", "replacement", "applied_replacement", "confidence",
            "explanation", "evidence", "status", "status_note", "revision", "created_at", "decided_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        # Renamed here rather than in to_representation, so that the OpenAPI schema says "pass" too.
        fields = super().get_fields()
        fields["pass"] = fields.pop("pass_")
        return fields
