"""Request ids in logs and responses, and JSON envelopes for errors raised outside DRF views."""

import re
import uuid

from ..limits import REQUEST_MEMORY_MAX_BYTES, UPLOAD_BODY_LIMITS
from .envelope import error_response
from .exceptions import exception_response
from .request_id import current as _request_id

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tags each request with an id (the caller's X-Request-ID when sane) for logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def body_limit(path):
    """The largest body `path` accepts (its upload endpoints' own limit, else the default)."""
    trimmed = path.rstrip("/")
    for suffix, limit in UPLOAD_BODY_LIMITS:
        if trimmed.endswith(suffix):
            return limit
    return REQUEST_MEMORY_MAX_BYTES


class BodySizeMiddleware:
    """413 from the declared Content-Length, before authentication and before any byte of the body is
    read: an anonymous caller cannot make the server parse or spool more than the endpoint takes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_admin_path(request.path):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return error_response(request.path, 400, -2, "Content-Length 无效")
            if declared > body_limit(request.path):
                return error_response(request.path, 413, -2, "请求体过大")
        return self.get_response(request)


def _is_admin_path(path):
    return path.startswith("/admin/") or path == "/admin"


def _supported_methods(view_func, view_class):
    """Methods a view answers: a ViewSet's explicit method -> action map (`as_view({"put": "start"})`),
    else an APIView's handler methods. HEAD counts only where declared (DRF's ViewSet adds it to the map
    on the first GET, which must not change what later requests are told)."""
    actions = getattr(view_func, "actions", None)
    if actions is not None:
        return {name for name in actions if name != "head"} | {"options"}
    return {name for name in view_class.http_method_names if hasattr(view_class, name)}


class JsonErrorMiddleware:
    """Errors outside DRF (Django's own 4xx/5xx) get the API envelope instead of an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """An unsupported method is 405 before any token or body is looked at (DRF would check the
        token first and answer 401)."""
        view_class = getattr(view_func, "cls", None)
        method = request.method.lower()
        if view_class is None or method == "options":
            return None
        supported = _supported_methods(view_func, view_class)
        if method in supported:
            return None
        allowed = [name.upper() for name in view_class.http_method_names if name in supported]
        response = error_response(request.path, 405, -2, f"不支持的请求方法: {request.method}")
        response["Allow"] = ", ".join(allowed)
        return response

    def process_exception(self, request, exception):
        if _is_admin_path(request.path):
            return None
        return exception_response(request.path, exception)
