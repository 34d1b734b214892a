"""OpenAPI generation: resource tags, export formats and the error responses.

Every operation documents the error answers it can give, in the one error
shape (errors.py), so a client (and schemathesis) can rely on the schema.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from claims.api.renderers import EXPORT_MEDIA_TYPES, CSLJSONRenderer
from claims.exports.citation_formats import CSL_ITEM_SCHEMA
from claims.models import Evidence, Publication
from claims.status_rules import ClaimStatus

# Named enums for the choice sets that share a field name (ENUM_NAME_OVERRIDES).
CLAIM_STATUS = ClaimStatus.choices
EVIDENCE_STATUS = Evidence.Status.choices
METADATA_STATE = Publication.MetadataState.choices

ERRORS_ON_EVERY_OPERATION = {
    "400": "Invalid input: a malformed or unknown parameter, or an invalid body.",
    "401": "The credentials sent are invalid (or a write came without any).",
    "404": "No such object, or a page past the end.",
    "406": "None of the formats in the Accept header can be produced.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}
ERRORS_ON_WRITES = {
    "403": "Authenticated, but without the role this needs.",
    "415": "The body is not JSON.",
}


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A stable word, e.g. invalid, not_found.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per offending input (parameter, body field, `body`).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class TokenScheme(OpenApiAuthenticationExtension):
    """The API key, under either scheme claims.api.authentication reads: the
    standard HTTP bearer scheme, which generated clients send, or "Token"."""

    target_class = "claims.api.authentication.TokenAuthentication"
    name = ["bearerAuth", "tokenAuth"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]  # either one

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "The API key as `Authorization: Bearer <key>`.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "The API key as `Authorization: Token <key>`.",
            },
        ]


class PortalAutoSchema(AutoSchema):
    def get_auth(self):
        """Reads need no credentials: say so ({}: anonymous) where every
        permission of the view lets anyone read."""
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        public = permissions and all(
            getattr(p, "public_reads", False) for p in permissions
        )
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def _is_export(self) -> bool:
        """An export endpoint: /api/v1/<list>/export.<ext> (claims.api.urls)."""
        return getattr(self.view, "action", None) == "export_file"

    def get_operation_id(self) -> str:
        if self._is_export():
            return f"v1_{self.view.basename}_export_{self.view.export_format}"
        return super().get_operation_id()

    def _is_list_view(self, serializer=None) -> bool:
        # An export filters as its list does (the filter parameters follow).
        return self._is_export() or super()._is_list_view(serializer)

    def _get_paginator(self):
        return None if self._is_export() else super()._get_paginator()

    def _get_format_parameters(self):
        return [] if self._is_export() else super()._get_format_parameters()

    def get_tags(self) -> list[str]:
        parts = [part for part in self.path.split("/") if part]
        return [parts[2]] if parts[:2] == ["api", "v1"] else super().get_tags()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if code.startswith("2"):
                self._export_schemas(response.get("content", {}))
        if self._is_export():
            # One media type, a file: what a generated client reads as bytes.
            (renderer,) = (
                r
                for r in self.view.get_renderers()
                if r.format == self.view.export_format
            )
            # A file. CSL-JSON is JSON, which a checker parses: a file of any
            # JSON, not the string a binary schema would ask of it.
            schema: dict = {"type": "string", "format": "binary"}
            if renderer.media_type == CSLJSONRenderer.media_type:
                schema = {}
            responses["200"] = {
                "description": f"The whole filtered list as {renderer.format}.",
                "content": {renderer.media_type: {"schema": schema}},
            }
        errors = dict(ERRORS_ON_EVERY_OPERATION)
        if self.method not in ("GET", "HEAD"):
            errors |= ERRORS_ON_WRITES
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for code, description in errors.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": error_ref}},
                },
            )
        if self.method == "GET":
            responses["304"] = {
                "description": "Not modified since the ETag or date the client sent."
            }
        return responses

    @staticmethod
    def _export_schemas(content: dict) -> None:
        """Export formats are text (CSV, RIS, BibTeX) or an array of CSL items."""
        for media_type in content:
            if media_type == CSLJSONRenderer.media_type:
                schema = {"type": "array", "items": CSL_ITEM_SCHEMA}
                content[media_type] = {"schema": schema}
            elif media_type in EXPORT_MEDIA_TYPES:
                content[media_type] = {"schema": {"type": "string"}}
