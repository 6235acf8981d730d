"""The JSON of every API answer, rendered by orjson (performance, issue 13).

DRF's `JSONRenderer` encodes with the standard library: on a 10-row conversation page it was a tenth of
the request's Python time. orjson writes the same compact UTF-8 JSON (DRF's `COMPACT_JSON` and
`UNICODE_JSON` defaults); what it cannot encode itself (lazy translations, Decimal, generators, …) goes
through DRF's own encoder, and a body orjson refuses as a whole (an integer beyond 64 bits, which a
provider may send and the API echoes) is rendered by DRF's renderer: every value DRF accepted still
renders the same way.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default
# Dict keys are not always str (a statistics map keyed by int hour is rendered "0" … "23" by the standard
# library too); datetimes keep DRF's ISO form through the fallback rather than orjson's own.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(data):
    return orjson.dumps(data, default=_fallback, option=_OPTIONS)


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if renderer_context.get("indent") or self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return dumps(data)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
