"""How facets and their values read on the pages and in the status reasons."""

from claims.models import Evidence

NOT_REPORTED = "not reported"


def facet_label(facet: str) -> str:
    """'MSC delivery', 'host immune status', 'cancer type'."""
    name = str(Evidence._meta.get_field(facet).verbose_name)
    return name if name[:3].isupper() else name.lower()


def value_label(facet: str, value: str) -> str:
    """The display label of a facet value; free-text values are shown as stored."""
    if not value:
        return NOT_REPORTED
    choices = dict(Evidence._meta.get_field(facet).flatchoices)
    return str(choices.get(value, value)).lower() if choices else value


def reason_label(facet: str, value: str | None = None) -> str:
    """A facet's name (no value) or one of its values, as status reasons say it."""
    return facet_label(facet) if value is None else value_label(facet, value)
