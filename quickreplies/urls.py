from hotline.api.routing import both

from .views import QuickReplyViewSet

urlpatterns = [
    *both("quickreply", QuickReplyViewSet.as_view({"get": "list_replies", "put": "create"}), "quickreply"),
    *both(
        "quickreply/<hexid:reply_id>",
        QuickReplyViewSet.as_view({"post": "update", "delete": "delete"}),
        "quickreply-by-id",
    ),
]
