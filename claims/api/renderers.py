"""Export formats: CSV for every list, RIS, BibTeX and CSL-JSON for papers.

Each renders one serialized item at a time, so a list view can stream a whole
export (views.ExportMixin) in constant memory, and a detail view renders the
same item the same way. Chosen by `?format=` or the Accept header.
"""

import json
from collections.abc import Iterable, Iterator

import orjson
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

from claims.exports import citation_formats
from claims.exports.csv_rows import csv_lines


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 400 naming the formats offered, not a 404."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            offered = ", ".join(renderer.format for renderer in renderers)
            raise ValidationError({"format": [f"Choose one of: {offered}."]})
        return found


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, encoded by orjson, several times faster than the json module.

    The same bytes as DRF's renderer for what our serializers produce (compact,
    UTF-8, U+2028 and U+2029 escaped for JavaScript); anything orjson cannot
    encode itself goes through DRF's own encoder.
    """

    _default = JSONEncoder().default

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        # Dates go through DRF's encoder, which writes UTC as "Z".
        option = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
        option |= orjson.OPT_INDENT_2 if indent else 0
        body = orjson.dumps(data, default=self._default, option=option)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
            b"\xe2\x80\xa9", b"\\u2029"
        )


class ExportRenderer(BaseRenderer):
    """A text format built from a start, one piece per item, and an end."""

    charset = "utf-8"
    extension = "txt"

    def start(self, columns: list[str]) -> str:
        return ""

    def item(self, data: dict, columns: list[str], index: int) -> str:
        raise NotImplementedError

    def end(self) -> str:
        return ""

    def stream(self, items: Iterable[dict], columns: list[str]) -> Iterator[str]:
        yield self.start(columns)
        for index, data in enumerate(items):
            yield self.item(data, columns, index)
        yield self.end()

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return "".join(self.stream([data], list(data))).encode(self.charset)


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"
    extension = "csv"

    def stream(self, items: Iterable[dict], columns: list[str]) -> Iterator[str]:
        return csv_lines(items, columns)


class CitationRenderer(ExportRenderer):
    """A citation format of one paper an item, written by claims.exports."""

    @staticmethod
    def cite(data: dict) -> str:
        raise NotImplementedError

    def item(self, data: dict, columns: list[str], index: int) -> str:
        return self.cite(data)


class RISRenderer(CitationRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"
    extension = "ris"
    cite = staticmethod(citation_formats.ris)


class BibTeXRenderer(CitationRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    extension = "bib"
    cite = staticmethod(citation_formats.bibtex)


class CSLJSONRenderer(ExportRenderer):
    """A JSON array of CSL items, for a single paper too."""

    media_type = "application/vnd.citationstyles.csl+json"
    format = "csljson"
    extension = "json"

    def start(self, columns: list[str]) -> str:
        return "["

    def item(self, data: dict, columns: list[str], index: int) -> str:
        separator = "," if index else ""
        item = json.dumps(citation_formats.csl(data), ensure_ascii=False)
        return f"{separator}\n{item}"

    def end(self) -> str:
        return "\n]\n"


EXPORT_MEDIA_TYPES = {
    renderer.media_type: renderer
    for renderer in (CSVRenderer, RISRenderer, BibTeXRenderer, CSLJSONRenderer)
}
