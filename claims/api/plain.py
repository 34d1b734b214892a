"""A serializer's output for many records, built from plain values.

DRF makes a model instance of every row and walks every field of it through
get_attribute() and to_representation(): about 0.15 ms for an evidence record
with its paper, 15 of the 20 ms a claim with 119 records took to render afresh.
For a serializer whose fields are each a column as it is (its record's or a
referred record's), a time, a record's own link, a related record's slug, a
nested serializer of a referred record or of the record's own fields
(source="*"), or a method field whose value the view computes from the
record's pk (or the serializer's `plain_values` computes for all the rows' pks
at once, such as a record's many-to-many terms), `plan()` reads the columns
with one values_list() and assembles the same dicts, key for key, in the
serializer's order and representation. The plan is made from the serializer's
own fields, once per class, so the two cannot drift apart;
tests/api/test_plain.py holds their JSON byte for byte equal.
"""

import datetime
from collections.abc import Callable, Iterable
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
from rest_framework.settings import api_settings

from claims.api.serializers import PLACEHOLDER, IdentityField

# Fields that give a column's value as the database driver returns it.
AS_IS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.JSONField,
)


@dataclass(frozen=True)
class Env:
    """What one request's rows share: its links, how it writes a time, and the
    view's values of method fields."""

    urls: dict[str, str]
    time: Callable[[datetime.datetime | None], str | None]
    computed: dict[str, Callable[[Any], Any]]


Step = Callable[[tuple, Env], object]


class Plan:
    """The columns a serializer reads and how to make its output of one row."""

    def __init__(self, serializer_class: type[serializers.Serializer]):
        self.paths: list[str] = ["pk"]
        self._links: dict[str, IdentityField] = {}
        # Method field -> its values for many records, {pk: value}, from pks.
        self._batches: dict[str, Callable[[list], dict]] = dict(
            getattr(serializer_class, "plain_values", {})
        )
        serializer = serializer_class()
        self._steps = self._compile(serializer, serializer.Meta.model, prefix="")

    def rows(
        self, values: Iterable[tuple], request, **computed: Callable[[Any], Any]
    ) -> list[dict]:
        """The serializer's output of each row of values_list(*self.paths).

        A method field's value is computed[its name](the record's pk), or else
        its plain_values for all the rows' pks, read once.
        """
        values = list(values)
        pks = self.pks(values)
        for name, batch in self._batches.items():
            if name not in computed:
                computed[name] = batch(pks).__getitem__
        urls = {name: link.template(request) for name, link in self._links.items()}
        env = Env(urls, _time_writer(), computed)
        steps = self._steps
        return [{key: step(row, env) for key, step in steps} for row in values]

    @staticmethod
    def pks(values: Iterable[tuple]) -> list:
        """The pk of each row of values_list(*self.paths)."""
        return [row[0] for row in values]

    def _compile(self, serializer, model, prefix: str) -> list[tuple[str, Step]]:
        return [
            (name, self._step(field, model, prefix))
            for name, field in serializer.fields.items()
        ]

    def _column(self, path: str) -> int:
        self.paths.append(path)
        return len(self.paths) - 1

    def _step(self, field, model, prefix: str) -> Step:
        if isinstance(field, IdentityField):
            self._links[field.view_name] = field
            view, i = field.view_name, self._column(prefix + field.lookup_field)
            return lambda row, env: env.urls[view].replace(
                PLACEHOLDER, quote(str(row[i]), safe="")
            )
        if isinstance(field, serializers.SerializerMethodField) and not prefix:
            name = field.field_name
            return lambda row, env: env.computed[name](row[0])
        if isinstance(field, serializers.Serializer) and field.source == "*":
            # The same record's fields, grouped: no join.
            steps = self._compile(field, model, prefix)
            return lambda row, env: {key: step(row, env) for key, step in steps}
        related = _model_field(model, field)
        path = prefix + "__".join(field.source_attrs)
        if isinstance(field, serializers.Serializer):
            if related.null:
                raise TypeError(f"{field.field_name}: a nullable nested record")
            steps = self._compile(field, related.related_model, prefix=path + "__")
            return lambda row, env: {key: step(row, env) for key, step in steps}
        if isinstance(field, serializers.SlugRelatedField):
            i = self._column(f"{path}__{field.slug_field}")
            return lambda row, env: row[i]
        if isinstance(field, serializers.DateTimeField):
            i = self._column(path)
            if hasattr(field, "format") or hasattr(field, "timezone"):
                return lambda row, env: field.to_representation(row[i])
            return lambda row, env: env.time(row[i])
        if isinstance(field, AS_IS) and not related.is_relation:
            i = self._column(path)
            return lambda row, env: row[i]
        raise TypeError(f"{field.field_name}: {type(field).__name__} is not planned")


@cache
def plan(serializer_class: type[serializers.Serializer]) -> Plan:
    return Plan(serializer_class)


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
