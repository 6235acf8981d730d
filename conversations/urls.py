from hotline.api.routing import both

from . import views

urlpatterns = [
    *both("config", views.ConfigView.as_view(), "config"),
    *both("conversation", views.ConversationStartView.as_view(), "conversation"),
    *both(
        "conversation/end/<hexid:conversation_id>", views.ConversationEndView.as_view(), "conversation-end"
    ),
    *both("conversation/supervise", views.SuperviseView.as_view(), "conversation-supervise"),
    *both("conversation/consultlist", views.ConsultListView.as_view(), "conversation-consultlist"),
    *both("conversation/current", views.CurrentView.as_view(), "conversation-current"),
    *both("conversation/7statistics", views.SevenDayView.as_view(), "conversation-7statistics"),
    *both("conversation/todaychange", views.TodayChangeView.as_view(), "conversation-todaychange"),
    *both("conversation/numberranking", views.NumberRankingView.as_view(), "conversation-numberranking"),
    *both("conversation/ratedranking", views.RatedRankingView.as_view(), "conversation-ratedranking"),
    *both(
        "conversation/<hexid:conversation_id>", views.ConversationDeleteView.as_view(), "conversation-delete"
    ),
]
