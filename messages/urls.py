"""The seed's IM, message and file paths (and the transcript exports under /conversation), bound to
ViewSet actions method by method."""

from hotline.api.routing import both

from .live import LiveViewSet
from .views import CallbackViewSet, FileViewSet, ImViewSet, MessageViewSet

# The IM provider posts every chat message here: hotline/urls.py matches it before every other route
# (resolving it behind ~90 patterns cost about a tenth of the callback's Python time).
callback_urlpatterns = [
    *both("message/callback", CallbackViewSet.as_view({"post": "receive"}), "message-callback"),
]

urlpatterns = [
    *both("im/sign", ImViewSet.as_view({"post": "sign"}), "im-sign"),
    *both("message/conversation/web", MessageViewSet.as_view({"get": "transcript"}), "message-web"),
    *both(
        "conversation/export/<hexid:conversation_id>",
        MessageViewSet.as_view({"get": "export", "post": "export"}),
        "conversation-export",
    ),
    *both(
        "conversation/batchexport",
        MessageViewSet.as_view({"post": "batch_export"}),
        "conversation-batchexport",
    ),
    *both("conversation/live", LiveViewSet.as_view({"get": "live"}), "conversation-live"),
    *both("file/upload", FileViewSet.as_view({"post": "upload"}), "file-upload"),
    *both("file/download", FileViewSet.as_view({"get": "download"}), "file-download"),
]
