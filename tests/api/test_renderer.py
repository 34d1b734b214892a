"""Our orjson renderer writes what DRF's own JSON renderer writes."""

import datetime
import decimal

from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from claims.api.renderers import JSONRenderer

DATA = {
    "text": 'Tumör \u2028 line \u2029 para "quoted" </script>',
    "number": 3,
    "ratio": 0.25,
    "none": None,
    "flag": True,
    "list": [1, "two", {"three": [3]}],
    "when": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    "day": datetime.date(2026, 1, 2),
    "amount": decimal.Decimal("1.50"),
}


def test_the_fast_renderer_writes_the_same_bytes_as_drfs():
    assert JSONRenderer().render(DATA) == DRFJSONRenderer().render(DATA)


def test_the_fast_renderer_writes_nothing_for_no_data():
    assert JSONRenderer().render(None) == b""
