from hotline.api.routing import both

from . import views

urlpatterns = [
    *both("arrange", views.ArrangeView.as_view(), "arrange"),
    *both("arrange/batch", views.ArrangeBatchView.as_view(), "arrange-batch"),
    *both("arrange/theday", views.TheDayView.as_view(), "arrange-theday"),
    *both("arrange/<hexid:arrangement_id>", views.ArrangementDeleteView.as_view(), "arrange-delete"),
]
