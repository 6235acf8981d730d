"""Workspace lists and imports run a fixed number of queries whatever the number of rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultant.models import Archive, InterviewRecord
from conversations.models import Conversation
from evaluations.models import Evaluation
from tests.consultant.helpers import TITLES, W, import_row, make_order, ws_data, xlsx_bytes
from tests.helpers import make_user
from users.models import UserType

IMPORT_QUERIES = 8


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
    # ... and the audit rows of the archives shown (one INSERT, users.audit.AUDITED_READS)
    with django_assert_max_num_queries(4):
        assert len(ws_data(ws(f"{W}/interview/records", {"page_size": 100}))["data"]) == 15
    with django_assert_max_num_queries(3):
        assert len(ws_data(ws(f"{W}/user/comments", {"pageSize": 100}))) == 15


def _import(multipart, rows):
    content = xlsx_bytes([TITLES] + [import_row(name=f"学生{index % 7}") for index in range(rows)])
    return multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("records.xlsx", content)})


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 1000])
def test_record_import_runs_the_same_queries_for_10_and_1000_rows(multipart, media, ws_user, rows):
    Archive.objects.create(
        consultant=ws_user, std_name="学生0", std_school="一中", std_grade="高二", std_class="1班"
    )
    with CaptureQueriesContext(connection) as queries:
        assert ws_data(_import(multipart, rows)) == {"archives": 6, "records": rows}
    # caller (token); transaction: savepoint, the caller's archives of those students (locked), the new
    # archives (one insert), record counts of the existing ones, archive update, record insert, release
    assert len(queries) == IMPORT_QUERIES, [query["sql"][:80] for query in queries]
    assert InterviewRecord.objects.filter(archive__std_name="学生0").count() == len(range(0, rows, 7))
