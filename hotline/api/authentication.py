"""Access tokens: the one place that says where a token may be sent and how it is checked (CONTRACT §3, §11)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

# Where an access token may be found. Every endpoint reads the Authorization header; the workspace also
# reads `token` from its body (seed 001). Never the URL (CONTRACT §11): a URL ends up in access logs,
# browser history and Referer headers. Media players that cannot send headers get signed links
# (`messages.files.signed_query`) instead.
HEADER = "header"
BODY = "body"


def _token_in(request, source, jwt):
    """The raw token the request carries in `source`, or None when it carries none there."""
    if source == HEADER:
        header = jwt.get_header(request)
        return None if header is None else jwt.get_raw_token(header)
    data = request.data
    value = data.get("token") if hasattr(data, "get") else None
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidToken()
    try:
        return value.encode()
    except UnicodeError:
        raise InvalidToken() from None


def authenticate_access_token(request, *, sources=(HEADER,)):
    """Find the access token in the first of `sources` that carries one and check it: signature, expiry,
    token type (an access token, never a refresh token) and an active user.

    Returns (user, validated token), or None when no source carries a token. A token that is sent but
    fails any check raises simplejwt's AuthenticationFailed, answered 401/401 by the exception handler."""
    jwt = JWTAuthentication()
    for source in sources:
        raw = _token_in(request, source, jwt)
        if raw is None:
            continue
        validated = jwt.get_validated_token(raw)
        user = jwt.get_user(validated)
        if not user.is_active:  # banned, deleted or deactivated: refused on every request (CONTRACT §3)
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        return user, validated
    return None


class BearerAuthentication(JWTAuthentication):
    """The Bearer header; subclasses name other sources (the workspace's body `token`)."""

    www_authenticate_realm = "hotline"
    token_sources = (HEADER,)

    def authenticate(self, request):
        return authenticate_access_token(request, sources=self.token_sources)


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "hotline.api.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )
