from hotline.api.routing import both

from . import views

urlpatterns = [
    *both("im/sign", views.ImSignView.as_view(), "im-sign"),
    *both("message/callback", views.CallbackView.as_view(), "message-callback"),
    *both("message/conversation/web", views.WebMessagesView.as_view(), "message-web"),
    *both("file/upload", views.FileUploadView.as_view(), "file-upload"),
    *both("file/download", views.FileDownloadView.as_view(), "file-download"),
    *both("conversation/export/<hexid:conversation_id>", views.ExportView.as_view(), "conversation-export"),
    *both("conversation/batchexport", views.BatchExportView.as_view(), "conversation-batchexport"),
]
