"""Reading a resource: one plan per resource, compiled from its read shape.

Every read of a review, topic, claim, claim detail, evidence record or paper
(the API's pages and details, its CSV and citation exports, a release's reader
files) goes through the plan of its shape (claims.exports.shapes), so they
cannot disagree.


DRF makes a model instance of every row and walks every field of it through
get_attribute() and to_representation(): about 0.15 ms for an evidence record
with its paper, 15 of the 20 ms a claim with 119 records took to render afresh.
For a serializer whose fields are each a column as it is (its record's or a
referred record's), a time, a record's own link, a related record's slug, a
nested serializer of a referred record or of the record's own fields
(source="*"), a Derived value of one column, or an Extra value computed for
all the rows' pks at once (a record's many-to-many terms, a claim's counts),
`plan()` reads the columns
with one values_list() and assembles the same dicts, key for key, in the
serializer's order and representation. The plan is made from the serializer's
own fields, once per class (and selection of fields), so the two cannot
drift apart; tests/api/test_plain.py holds their JSON byte for byte equal.
"""

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.relations import Hyperlink
from rest_framework.settings import api_settings

PLACEHOLDER = "0lookup0"
CHUNK_ROWS = 500

# Fields that give a column's value as the database driver returns it.
AS_IS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.JSONField,
)
# {pk: value} for the records of some pks, in one query; the request, for links.
Batch = Callable[[list, Any], dict]


class IdentityField(serializers.HyperlinkedIdentityField):
    """A record's own URL, reversed once per request and view, then filled in.

    reverse() for each of the 240 links of a claim with 120 records took half the
    time of serializing it (14 of 30 ms).
    """

    def get_url(self, obj, view_name, request, format):
        lookup = getattr(obj, self.lookup_field)
        if format or request is None or lookup in (None, ""):
            return super().get_url(obj, view_name, request, format)
        return Hyperlink(
            self.template(request).replace(PLACEHOLDER, quote(str(lookup), safe="")),
            obj,
        )

    def template(self, request) -> str:
        """The URL of this view with PLACEHOLDER for the lookup, once a request."""
        templates = request.__dict__.setdefault("_identity_urls", {})
        if self.view_name not in templates:
            kwargs = {self.lookup_url_kwarg: PLACEHOLDER}
            templates[self.view_name] = self.reverse(
                self.view_name, kwargs=kwargs, request=request
            )
        return templates[self.view_name]


class Extra(serializers.Field):
    """A value computed for many records at once from their pks, by `batch`;
    `schema` is what the API's schema shows of it."""

    def __init__(self, batch: Batch, schema, **kwargs):
        self.batch = batch
        self._spectacular_annotation = {"field": schema}
        super().__init__(source="pk", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.batch([value], self.context.get("request"))[value]


class Derived(serializers.Field):
    """A value made from one column of the record by `derive`."""

    def __init__(self, column: str, derive: Callable[[Any], Any], schema, **kwargs):
        self.derive = derive
        self._spectacular_annotation = {"field": schema}
        super().__init__(source=column, read_only=True, **kwargs)

    def bind(self, field_name, parent):
        if self.source == field_name:  # DRF refuses a source that is the name
            self.source = None
        super().bind(field_name, parent)

    def to_representation(self, value):
        return self.derive(value)


@dataclass(frozen=True)
class Env:
    """What one request's rows share: its links, how it writes a time, and the
    extra values of the rows."""

    urls: dict[str, str]
    time: Callable[[datetime.datetime | None], str | None]
    computed: dict[str, Callable[[Any], Any]]


Step = Callable[[tuple, Env], object]


class Plan:
    """The columns a shape reads and how to make its output of one row; with
    `select` (dotted keys), only those fields of it."""

    def __init__(
        self,
        serializer_class: type[serializers.Serializer],
        select: tuple[str, ...] | None = None,
    ):
        self.paths: list[str] = ["pk"]
        self._links: dict[str, IdentityField] = {}
        self._batches: dict[str, Batch] = {}
        # Dotted key of each value that is no group -> its step: for flat rows.
        self._leaves: dict[str, Step] = {}
        serializer = serializer_class()
        tree = _tree(select) if select is not None else None
        self._steps = self._compile(serializer, serializer.Meta.model, "", tree, "")

    def rows(
        self, values: Iterable[tuple], request, **computed: Callable[[Any], Any]
    ) -> list[dict]:
        """The shape's output of each row of values_list(*self.paths).

        An Extra field's value is computed[its name](the record's pk), or else
        its batch's for all the rows' pks, read once.
        """
        values = list(values)
        env = self._env(values, request, computed)
        steps = self._steps
        return [{key: step(row, env) for key, step in steps} for row in values]

    def flat_rows(
        self, values: Iterable[tuple], request, columns: dict[str, str]
    ) -> list[dict]:
        """Each row as {column: the value under its dotted key}: the records of
        rows(), flattened, without making their groups."""
        values = list(values)
        env = self._env(values, request, {})
        leaves = [(column, self._leaf(key)) for column, key in columns.items()]
        return [{column: step(row, env) for column, step in leaves} for row in values]

    def stream(
        self, queryset, request=None, columns: dict[str, str] | None = None
    ) -> Iterator[dict]:
        """Every record of queryset (flattened into columns, if given), a chunk at
        a time, its extras read once a chunk: in constant memory."""
        values = queryset.values_list(*self.paths).iterator(chunk_size=CHUNK_ROWS)
        while chunk := list(itertools.islice(values, CHUNK_ROWS)):
            if columns is None:
                yield from self.rows(chunk, request)
            else:
                yield from self.flat_rows(chunk, request, columns)

    def _leaf(self, key: str) -> Step:
        """The step of a dotted key: a value's, or one inside an extra value."""
        if key in self._leaves:
            return self._leaves[key]
        head, _, rest = key.rpartition(".")
        if not head:
            raise KeyError(f"{key}: not a key of the plan")
        outer, inner = self._leaf(head), rest
        return lambda row, env: outer(row, env)[inner]

    def _env(self, values: list, request, computed: dict) -> Env:
        pks = self.pks(values)
        for name, batch in self._batches.items():
            if name not in computed:
                computed[name] = batch(pks, request).__getitem__
        urls = {name: link.template(request) for name, link in self._links.items()}
        return Env(urls, _time_writer(), computed)

    @staticmethod
    def pks(values: Iterable[tuple]) -> list:
        """The pk of each row of values_list(*self.paths)."""
        return [row[0] for row in values]

    def _compile(
        self, serializer, model, prefix: str, tree, key: str
    ) -> list[tuple[str, Step]]:
        """The steps of serializer's fields (those in tree); prefix is the ORM
        path to its model, key the dotted key of its group."""
        steps = []
        for name, field in serializer.fields.items():
            if tree is None or name in tree:
                below = None if tree is None else tree[name]
                step = self._step(field, model, prefix, below, f"{key}{name}.")
                steps.append((name, step))
                if not isinstance(field, serializers.Serializer):
                    self._leaves[key + name] = step
        return steps

    def _column(self, path: str) -> int:
        self.paths.append(path)
        return len(self.paths) - 1

    def _step(self, field, model, prefix: str, tree, key: str) -> Step:
        if isinstance(field, IdentityField):
            self._links[field.view_name] = field
            view, i = field.view_name, self._column(prefix + field.lookup_field)
            return lambda row, env: env.urls[view].replace(
                PLACEHOLDER, quote(str(row[i]), safe="")
            )
        if isinstance(field, Extra) and not prefix:
            name = self._batch(field)
            return lambda row, env: env.computed[name](row[0])
        if isinstance(field, serializers.Serializer) and field.source == "*":
            # The same record's fields, grouped: no join.
            steps = self._compile(field, model, prefix, tree, key)
            return lambda row, env: {key: step(row, env) for key, step in steps}
        related = _model_field(model, field)
        path = prefix + "__".join(field.source_attrs)
        if isinstance(field, serializers.Serializer):
            if related.null:
                raise TypeError(f"{field.field_name}: a nullable nested record")
            model = related.related_model
            steps = self._compile(field, model, path + "__", tree, key)
            return lambda row, env: {key: step(row, env) for key, step in steps}
        i = self._column(path)
        if isinstance(field, serializers.SlugRelatedField):
            self.paths[i] = f"{path}__{field.slug_field}"
            return lambda row, env: row[i]
        if isinstance(field, Derived):
            return lambda row, env: field.derive(row[i])
        if isinstance(field, serializers.DateTimeField):
            if hasattr(field, "format") or hasattr(field, "timezone"):
                return lambda row, env: field.to_representation(row[i])
            return lambda row, env: env.time(row[i])
        if isinstance(field, AS_IS) and not related.is_relation:
            return lambda row, env: row[i]
        raise TypeError(f"{field.field_name}: {type(field).__name__} is not planned")

    def _batch(self, field: Extra) -> str:
        self._batches[field.field_name] = field.batch
        return field.field_name


@cache
def plan(
    serializer_class: type[serializers.Serializer],
    select: tuple[str, ...] | None = None,
) -> Plan:
    return Plan(serializer_class, select)


def _tree(select: tuple[str, ...]) -> dict:
    """("a", "b.c", "b.d") as {"a": None, "b": {"c": None, "d": None}}: None is
    every field below."""
    below: dict[str, list[str]] = {}
    for key in select:
        head, _, rest = key.partition(".")
        below.setdefault(head, []).append(rest)
    return {
        head: None if "" in rests else _tree(tuple(rests))
        for head, rests in below.items()
    }


def _model_field(model, field) -> models.Field:
    """The model field a serializer field reads: a concrete field, of the model
    or of one it refers to by a foreign key that cannot be null."""
    *through, name = field.source_attrs
    with suppress(FieldDoesNotExist):
        for attr in through:
            relation = model._meta.get_field(attr)
            if not relation.many_to_one or relation.null:
                break
            model = relation.related_model
        else:
            return model._meta.get_field(name)
    raise TypeError(f"{field.field_name}: source {field.source!r} is not planned")


def _time_writer() -> Callable[[datetime.datetime | None], str | None]:
    """DateTimeField's representation: ISO 8601 in the current time zone, UTC as
    "Z". The database gives aware times; any other setting takes DRF's own."""
    output_format = api_settings.DATETIME_FORMAT
    if not settings.USE_TZ or str(output_format).lower() != ISO_8601:
        return serializers.DateTimeField().to_representation
    zone = timezone.get_current_timezone()

    def iso(value: datetime.datetime | None) -> str | None:
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso
