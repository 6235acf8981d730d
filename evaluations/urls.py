from hotline.api.routing import both

from . import views

urlpatterns = [*both("evaluate", views.EvaluateView.as_view(), "evaluate")]
