"""Bearer JWT authentication shared by both APIs."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework_simplejwt.authentication import JWTAuthentication


class BearerAuthentication(JWTAuthentication):
    """simplejwt's JWT check; inactive (banned, deleted, deactivated) users are refused on every request."""

    www_authenticate_realm = "hotline"


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "hotline.api.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )
