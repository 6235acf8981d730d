"""Access tokens: the one place that says where a token may be sent and how it is checked (CONTRACT §3, §11)."""

import weakref

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

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


class _UserByKey:
    """`User.objects.get(id=...)`, the one query every authenticated request runs, with its SQL compiled
    once per database connection (performance, issue 13): compiling the user model's 41-column SELECT
    cost more than running it (≈0.45 of ≈0.65 ms). The row goes through the same converters as an ORM
    read (encrypted fields are decrypted by their `from_db_value`), and `Model.from_db` builds the same
    instance, so nothing downstream can tell the difference."""

    _SENTINEL = "\x00user-id\x00"

    def __init__(self):
        self._plans = weakref.WeakKeyDictionary()  # DatabaseWrapper (one per thread) -> compiled plan

    def _plan(self, model, connection):
        plan = self._plans.get(connection)
        if plan is None:
            query = model._default_manager.filter(**{api_settings.USER_ID_FIELD: self._SENTINEL})
            compiler = query.order_by().query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            position = list(params).index(self._SENTINEL)
            columns = [column for column, _, _ in compiler.select]
            names = [column.target.attname for column in columns]
            converters = compiler.get_converters(columns)
            plan = (sql, tuple(params), position, names, compiler, converters)
            self._plans[connection] = plan
        return plan

    def get(self, user_id):
        model = get_user_model()
        alias = router.db_for_read(model)
        connection = connections[alias]
        sql, params, position, names, compiler, converters = self._plan(model, connection)
        field = model._meta.get_field(api_settings.USER_ID_FIELD)
        try:
            key = field.get_db_prep_value(field.to_python(user_id), connection)
        except (ValidationError, TypeError, ValueError):  # a claim that is no valid key names no user
            return None
        bound = list(params)
        bound[position] = key
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchmany(2)
        if len(rows) != 1:
            return None
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return model.from_db(alias, names, rows[0])


_users = _UserByKey()


class _AccessTokens(JWTAuthentication):
    def get_user(self, validated_token):
        """simplejwt's checks (claim, existence, active, password unchanged) over `_UserByKey`."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        user = _users.get(user_id)
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The user's password has been changed.", code="password_changed")
        return user


def authenticate_access_token(request, *, sources=(HEADER,)):
    """Find the access token in the first of `sources` that carries one and check it: signature, expiry,
    token type (an access token, never a refresh token) and an active user.

    Returns (user, validated token), or None when no source carries a token. A token that is sent but
    fails any check raises simplejwt's AuthenticationFailed, answered 401/401 by the exception handler."""
    jwt = _AccessTokens()
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
