from hotline.api.routing import both

from .views import ErasureViewSet

urlpatterns = [
    *both("user/erase/<hexid:user_id>", ErasureViewSet.as_view({"post": "erase"}), "user-erase"),
]
