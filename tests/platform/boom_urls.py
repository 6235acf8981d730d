"""A URLconf for testing how unexpected failures are answered (a view that crashes)."""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from hotline.api.routing import both
from hotline.urls import urlpatterns as real_patterns


class Boom(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internal detail")


def plain_boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*both("boom", Boom.as_view()), *both("plain-boom", plain_boom), *real_patterns]
