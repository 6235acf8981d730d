"""Workspace lists run a fixed number of queries whatever the page size."""

import pytest

from consultant.models import Archive, InterviewRecord
from conversations.models import Conversation
from evaluations.models import Evaluation
from tests.consultant.helpers import ws_data
from tests.consultant.test_workspace import make_order
from tests.helpers import make_user
from users.models import UserType

W = "/api/consultant"


@pytest.mark.django_db
def test_workspace_lists_have_fixed_query_counts(ws, ws_user, ecnu, django_assert_max_num_queries):
    for index in range(15):
        make_order(ws_user, name=f"访客{index}", contact=str(index))
        archive = Archive.objects.create(consultant=ws_user, std_name=f"学生{index}")
        InterviewRecord.objects.create(archive=archive, count=1)
        visitor = make_user(UserType.VISITOR, inst=ecnu, name=f"访客{index}")
        conversation = Conversation.objects.create(
            status="FINISHED", user=visitor, counselor=ws_user, institution=ecnu
        )
        Evaluation.objects.create(conversation=conversation, level=5, creator=visitor)
    # caller (token), count, page
    with django_assert_max_num_queries(3):
        assert len(ws_data(ws(f"{W}/orders", {"pageSize": 100}))["data"]) == 15
    with django_assert_max_num_queries(3):
        assert len(ws_data(ws(f"{W}/interview/records", {"page_size": 100}))["data"]) == 15
    with django_assert_max_num_queries(3):
        assert len(ws_data(ws(f"{W}/user/comments", {"pageSize": 100}))) == 15
