"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's json module recurses once per level, so a few kilobytes of `[[[[…` raise RecursionError, which
DRF does not catch (a 500 for anyone). No request of the shop nests more than a few levels; deeper bodies
are refused before any view or serializer walks them.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def nesting_depth(value):
    """How many arrays and objects deep `value` goes, walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层") from exc
        if nesting_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层")
        return data
