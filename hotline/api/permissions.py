"""How an endpoint is declared public: the one way, for APIViews and ViewSets alike."""

from rest_framework.permissions import AllowAny


class PublicMixin:
    # Explicitly public: no token is read (a stale one must not block signing in) and nobody is refused.
    # Put it first among the bases: `class LoginView(PublicMixin, APIView)`. Every other endpoint needs a
    # token (DEFAULT_PERMISSION_CLASSES). No docstring on purpose: drf-spectacular would show it as the
    # description of every public operation.
    authentication_classes = []
    permission_classes = [AllowAny]
