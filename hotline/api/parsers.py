"""Request-body parsing with bounds: a JSON body nested deeper than any endpoint needs is a 400 naming
the problem, never a RecursionError (a 500) on an anonymous endpoint."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from ..limits import JSON_MAX_DEPTH


def _depth_exceeds(value, limit):
    """Iterative, so the check itself cannot overflow the stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON嵌套层数不能超过{JSON_MAX_DEPTH}") from None
        if _depth_exceeds(data, JSON_MAX_DEPTH):
            raise ParseError(f"JSON嵌套层数不能超过{JSON_MAX_DEPTH}")
        return data
