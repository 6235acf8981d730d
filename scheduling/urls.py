"""The seed's duty paths, bound to DutyViewSet actions method by method."""

from hotline.api.routing import both

from .views import DutyViewSet

urlpatterns = [
    *both("arrange", DutyViewSet.as_view({"put": "arrange"}), "arrange"),
    *both("arrange/batch", DutyViewSet.as_view({"post": "set_weekly"}), "arrange-batch"),
    *both("arrange/theday", DutyViewSet.as_view({"get": "theday"}), "arrange-theday"),
    *both("arrange/<hexid:arrangement_id>", DutyViewSet.as_view({"delete": "remove_day"}), "arrange-delete"),
]
