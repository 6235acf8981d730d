"""The single DRF exception handler: every error becomes the envelope of its API (CONTRACT §2)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .envelope import error_response
from .errors import (
    ApiError,
    Forbidden,
    InvalidParam,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unexpected,
)

logger = logging.getLogger("hotline.errors")
RETRYABLE_PGCODES = {"40P01", "40001"}  # deadlock detected, serialization failure
DATABASE_DOWN_MESSAGE = "服务暂时不可用，请稍后重试"


def _flatten(detail, prefix=""):
    """Yield (field path, ErrorDetail) pairs from a DRF error detail of any nesting."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            yield from _flatten(value, path)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                yield from _flatten(value, f"{prefix}[{index}]" if prefix else str(index))
            else:
                yield from _flatten(value, prefix)
    else:
        yield prefix, detail


def validation_message(detail):
    parts = []
    for field, error in _flatten(detail):
        code = getattr(error, "code", None)
        if field and code == "required":
            parts.append(f"key [{field}] not optional")
        elif field:
            parts.append(f"key [{field}] {error}")
        else:
            parts.append(str(error))
    return "; ".join(parts) or "参数格式不正确"


def to_api_error(exc):
    """Translate any exception raised while serving a request into an ApiError (or None if unexpected)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, drf.ValidationError):
        return InvalidParam(validation_message(exc.detail))
    if isinstance(exc, drf.ParseError):
        return InvalidParam(f"请求体格式错误: {exc.detail}")
    if isinstance(exc, InvalidToken | TokenError | drf.NotAuthenticated | drf.AuthenticationFailed):
        return NotAuthenticated()
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return Forbidden()
    if isinstance(exc, drf.NotFound | Http404):
        return NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return ApiError(f"不支持的请求方法: {exc.args[0] if exc.args else ''}".strip(), status=405, code=-2)
    if isinstance(exc, drf.NotAcceptable):
        return ApiError("不支持的Accept类型", status=406, code=-2)
    if isinstance(exc, drf.UnsupportedMediaType):
        return ApiError(
            f"不支持的Content-Type: {exc.args[0] if exc.args else ''}".strip(), status=415, code=-2
        )
    if isinstance(exc, drf.Throttled):
        return RateLimited()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent):
        return InvalidParam("请求参数过多")
    if isinstance(exc, UnicodeError):
        return InvalidParam("参数包含无法编码的字符")
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "pgcode", None) in RETRYABLE_PGCODES:
        return ApiError("系统繁忙，请重试", status=409, code=-1)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is unreachable or the connection died: nothing was committed by this request, and
        # the next request opens a fresh connection. Logged by type only (the text can name hosts).
        logger.warning("database unavailable: %s", type(exc).__name__)
        drop_broken_connections()
        return ApiError(DATABASE_DOWN_MESSAGE, status=503, code=-1)
    if isinstance(exc, ValueError) and "NUL" in str(exc):
        # PostgreSQL cannot store NUL characters: a client sent one in a raw path or query value.
        return InvalidParam("参数包含非法字符（NUL）")
    return None


def drop_broken_connections():
    """Close connections that can no longer be used, so the next request connects afresh instead of
    failing on a dead socket until the worker restarts."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            conn.close()


def exception_response(path, exc):
    """The answer to an exception raised while serving `path`; an unexpected one is logged and is 500."""
    error = to_api_error(exc)
    if error is None:
        logger.exception("unhandled error on %s", path, exc_info=exc)
        error = Unexpected()
    return error_response(path, error.status, error.code, error.message)


def envelope_exception_handler(exc, context):
    set_rollback()
    request = context.get("request")
    path = request.path if request is not None else "/"
    response = exception_response(path, exc)
    if isinstance(exc, drf.MethodNotAllowed) and context.get("view") is not None:
        response["Allow"] = ", ".join(context["view"].allowed_methods)
    return response
