"""What every request goes through before a view sees it: ids that fit the database, no NUL characters."""

from flask import Flask, Request, abort
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter

from corrections.text import CONTROL


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: 1 to 2**31 - 1, the range of a PostgreSQL INTEGER; others are 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _clean(value):
    return CONTROL.sub("", value) if isinstance(value, str) else value


class TextMultiDict(ImmutableMultiDict):
    """Query and form values without control characters: PostgreSQL refuses NUL in text, people never type them."""

    def __init__(self, mapping=None):
        if mapping is not None:
            mapping = [(_clean(key), _clean(value)) for key, value in iter_multi_items(mapping)]
        super().__init__(mapping)


class CorrectionsRequest(Request):
    parameter_storage_class = TextMultiDict


def register(app: Flask) -> None:
    app.request_class = CorrectionsRequest
    app.url_map.converters["int"] = IdConverter

    @app.url_value_preprocessor
    def refuse_control_characters_in_paths(endpoint, values):
        if values and any(isinstance(v, str) and CONTROL.search(v) for v in values.values()):
            abort(404)
