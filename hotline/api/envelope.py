"""The success envelopes and the one error answer (CONTRACT §2), and paging (CONTRACT §4)."""

from rest_framework.response import Response

from ..limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .errors import InvalidParam
from .memo import RefreshingCache
from .renderers import OrjsonRenderer

WORKSPACE_PREFIXES = ("/api/consultant/", "/api/consuntant/", "/api/consult/")
IM_CALLBACK_PREFIX = "/message/callback"


def api_family(path):
    """Which API a path belongs to: 'workspace', 'im' or 'hotline'."""
    if not path.endswith("/"):
        path = path + "/"
    if path.startswith(WORKSPACE_PREFIXES):
        return "workspace"
    if path.startswith(IM_CALLBACK_PREFIX + "/"):
        return "im"
    return "hotline"


def ok(result="ok", *, count=None, next_page=None, paged=False, status=200):
    body = {"code": 0, "message": "OK", "result": result}
    if paged or count is not None:
        body["count"] = count
        body["next"] = next_page
    return Response(body, status=status)


def ws_ok(data=None, status=200, **extra):
    body = {"code": 0, "message": "OK", "data": data}
    body.update(extra)
    return Response(body, status=status)


def error_body(family, code, message):
    if family == "im":
        return {"ActionStatus": "FAIL", "ErrorInfo": message, "ErrorCode": 1}
    key = "data" if family == "workspace" else "result"
    return {"code": code, "message": message, key: None}


def error_response(path, status, code, message):
    """Every error answer, wherever it is raised (DRF's exception handler, the middleware, the catch-all
    views, the IM callback): the envelope of the path's API, rendered now so that it also works where
    Django, not DRF, sends it."""
    response = Response(error_body(api_family(path), code, message), status=status)
    response.accepted_renderer = OrjsonRenderer()
    response.accepted_media_type = OrjsonRenderer.media_type
    response.renderer_context = {}
    return response.render()


def _int_param(params, name, default):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(str(raw))
    except ValueError:
        raise InvalidParam.field(name, "必须是整数") from None


def page_params(params, size_names=("size",)):
    """Read 1-based `page` and a page size from query parameters; 0 reads as 1, size capped at 100."""
    page = _int_param(params, "page", 1)
    size = DEFAULT_PAGE_SIZE
    for name in size_names:
        if params.get(name) not in (None, ""):
            size = _int_param(params, name, DEFAULT_PAGE_SIZE)
            if size < 0:
                raise InvalidParam.field(name, "不能为负数")
            size = size or DEFAULT_PAGE_SIZE  # 0 reads as the default, like page 0 reads as 1
            break
    if page < 0:
        raise InvalidParam.field("page", "不能为负数")
    return max(page, 1), min(size, MAX_PAGE_SIZE)


def rows_in_order(queryset, keys):
    """The rows of `queryset` whose primary keys are `keys`, in the order of `keys` (one query)."""
    by_key = {row.pk: row for row in queryset.filter(pk__in=keys)} if keys else {}
    return [by_key[key] for key in keys if key in by_key]


# A list's `count` of at least LARGE_COUNT rows is kept LARGE_COUNT_SECONDS per `count_key` (the caller
# and its filters) in the process (performance, issue 13): counting thousands of index entries cost more
# than the page, and a count that large a few seconds old is no different to a reader. Smaller counts
# are cheap and stay exact on every request; pages and `next` are always read fresh.
LARGE_COUNT = 1000
LARGE_COUNT_SECONDS = 5
_large_counts = RefreshingCache(LARGE_COUNT_SECONDS)


def paginate(queryset, params, size_names=("size",), *, count_cap=None, load=None, count_key=None):
    """Slice a queryset: returns (rows, total, next page number or None). Two queries (three with
    `load`).

    `count_cap` (performance, issue 13): count at most that many rows (`SELECT count(*) FROM (... LIMIT
    cap)`), so a page costs the same at 10 000 and at 100 000 rows; beyond the cap `total` is the cap or
    the rows this page proves exist, whichever is larger. `next` stays exact (one extra row is read).
    `load(keys)`: `queryset` only picks the page's primary keys (ordering and offset over the bare
    table, where an index serves them); `load` answers those rows, in that order, with their joins.
    `count_key`: a hashable naming the caller and every filter of `queryset`; with it a large count is
    kept a few seconds (`LARGE_COUNT`)."""
    page, size = page_params(params, size_names)
    offset = (page - 1) * size

    def count():
        if count_cap:
            return queryset.order_by().values("pk")[:count_cap].count()
        return queryset.count()

    if count_key is None:
        total = count()
    else:
        total = _large_counts.get(count_key, count, keep=lambda n: n >= LARGE_COUNT)
    capped = bool(count_cap) and total >= count_cap
    if offset >= total and not capped:
        return [], total, None
    if load is not None:
        keys = list(queryset.values_list("pk", flat=True)[offset : offset + size + 1])
        more = len(keys) > size
        rows = load(keys[:size]) if keys else []
    else:
        rows = list(queryset[offset : offset + size + 1])
        more = len(rows) > size
        rows = rows[:size]
    if capped:
        total = max(total, offset + len(rows) + (1 if more else 0))
    return rows, total, page + 1 if more else None
