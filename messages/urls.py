from hotline.api.routing import both

from . import views

urlpatterns = [*both("im/sign", views.ImSignView.as_view(), "im-sign")]
