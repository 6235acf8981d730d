"""The seed's conversation paths, bound to ViewSet actions method by method."""

from hotline.api.routing import both

from .views import AlertViewSet, ConfigViewSet, ConversationViewSet, StatisticsViewSet

C, S, A = ConversationViewSet, StatisticsViewSet, AlertViewSet

urlpatterns = [
    *both("config", ConfigViewSet.as_view({"get": "show"}), "config"),
    *both("conversation", C.as_view({"put": "start"}), "conversation"),
    *both("conversation/end/<hexid:conversation_id>", C.as_view({"post": "end"}), "conversation-end"),
    *both("conversation/supervise", C.as_view({"put": "supervise"}), "conversation-supervise"),
    *both("conversation/consultlist", C.as_view({"get": "consultlist"}), "conversation-consultlist"),
    *both("conversation/current", C.as_view({"get": "current"}), "conversation-current"),
    *both("conversation/7statistics", S.as_view({"get": "seven_days"}), "conversation-7statistics"),
    *both("conversation/todaychange", S.as_view({"get": "today_by_hour"}), "conversation-todaychange"),
    *both("conversation/numberranking", S.as_view({"get": "number_ranking"}), "conversation-numberranking"),
    *both("conversation/ratedranking", S.as_view({"get": "rated_ranking"}), "conversation-ratedranking"),
    *both(
        "conversation/waitstatistics", S.as_view({"get": "wait_statistics"}), "conversation-waitstatistics"
    ),
    *both("conversation/alerts", A.as_view({"get": "list"}), "conversation-alerts"),
    *both("conversation/alerts/<hexid:alert_id>/ack", A.as_view({"post": "ack"}), "conversation-alert-ack"),
    *both("conversation/<hexid:conversation_id>/risk", C.as_view({"post": "risk"}), "conversation-risk"),
    *both(
        "conversation/<hexid:conversation_id>/transfer",
        C.as_view({"post": "transfer"}),
        "conversation-transfer",
    ),
    *both("conversation/<hexid:conversation_id>", C.as_view({"delete": "delete"}), "conversation-delete"),
]
