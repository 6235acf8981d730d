"""A URLconf for testing how unexpected failures are answered (a view that crashes)."""

from rest_framework.views import APIView

from hotline.api.permissions import PublicMixin
from hotline.api.routing import both
from hotline.urls import urlpatterns as real_patterns


class Boom(PublicMixin, APIView):
    def get(self, request):
        raise RuntimeError("secret internal detail")


def plain_boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*both("boom", Boom.as_view()), *both("plain-boom", plain_boom), *real_patterns]
