from hotline.api.routing import both

from .views import EvaluationViewSet

urlpatterns = [*both("evaluate", EvaluationViewSet.as_view({"put": "create"}), "evaluate")]
