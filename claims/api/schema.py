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

    def get_tags(self) -> list[str]:
        parts = [part for part in self.path.split("/") if part]
        return [parts[2]] if parts[:2] == ["api", "v1"] else super().get_tags()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if code.startswith("2"):
                self._export_schemas(response.get("content", {}))
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
