"""Domain errors: each carries its HTTP status, envelope code and a message for the user (CONTRACT §2)."""


class ApiError(Exception):
    status = 400
    code = -2
    default_message = "参数格式不正确"

    def __init__(self, message=None, *, status=None, code=None):
        self.message = message or self.default_message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        super().__init__(self.message)


class InvalidParam(ApiError):
    """Invalid or missing parameter, duplicate, or a rule violated."""

    status, code, default_message = 400, -2, "参数格式不正确"

    @classmethod
    def field(cls, name, problem):
        return cls(f"key [{name}] {problem}")

    @classmethod
    def missing(cls, name):
        return cls(f"key [{name}] not optional")


class LoginFailed(ApiError):
    status, code, default_message = 401, -3, "该用户名不存在或已被禁用，请核实后再登录!"


class NotAuthenticated(ApiError):
    status, code, default_message = 401, 401, "认证失败：用户ID与Token不匹配或Token已过期"


class Forbidden(ApiError):
    status, code, default_message = 403, -5, "无权访问"


class NotFound(ApiError):
    status, code, default_message = 404, -4, "资源不存在"


class RateLimited(ApiError):
    status, code, default_message = 429, -3, "接口调用次数超限"


class PayloadTooLarge(ApiError):
    status, code, default_message = 413, -2, "请求体过大"


class ProviderError(ApiError):
    """A third-party provider (WeChat, Tencent IM) failed or rejected the call."""

    status, code, default_message = 502, -1, "第三方服务调用失败"


class Unexpected(ApiError):
    status, code, default_message = 500, -1, "未知错误"
