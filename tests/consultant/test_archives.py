"""Case files: archives (/interview/records*) and their records (/interview/records/profile*) (seed 001 咨询档案, CONTRACT §9)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultant.models import Archive, InterviewRecord
from tests.consultant.helpers import PNG, W, archive_body, ws_data, ws_error
from tests.helpers import client_for, make_user
from users.models import AuditEntry, UserType


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/consuntant/interview/records/create", f"{W}/interview/records/create"]
)
def test_create_and_list_archives(ws, path):
    created = ws(path, archive_body())
    archive_id = created.json()["id"]
    data = ws_data(ws(f"{W}/interview/records", {"page": 1, "page_size": "10"}))
    assert data["total"] == 1
    row = data["data"][0]
    assert row["id"] == archive_id and row["std_name"] == "张三" and row["interview_count"] == "0"
    assert set(row) == {
        "id",
        "std_name",
        "std_grade",
        "std_class",
        "std_school",
        "interview_count",
        "interview_status",
        "interview_type",
        "doctor_evaluation",
        "follow_up_plan",
        "create_time",
    }


@pytest.mark.django_db
def test_archive_filters(ws):
    ws(f"{W}/interview/records/create", archive_body())
    ws(
        f"{W}/interview/records/create",
        archive_body(std_name="王五", std_school="二中", interview_type="团体访谈"),
    )

    def names(**filters):
        return [row["std_name"] for row in ws_data(ws(f"{W}/interview/records", filters))["data"]]

    assert names(std_name="王") == ["王五"]
    assert names(std_school="附属") == ["张三"]
    assert names(interview_type="团体访谈") == ["王五"]
    assert names(interview_count="0") == ["王五", "张三"]
    assert "[interview_count]" in ws_error(ws(f"{W}/interview/records", {"interview_count": "x"}), 400, -2)


@pytest.mark.django_db
def test_archive_filters_on_encrypted_texts_match_after_decryption(ws):
    """The evaluation and follow-up plan are encrypted at rest: found by substring all the same, with the
    plain filters applied too (a 500 before: no `icontains` on an encrypted column)."""
    ws(
        f"{W}/interview/records/create",
        archive_body(doctor_evaluation="轻度焦虑，睡眠差", follow_up_plan="两周后复诊"),
    )
    ws(
        f"{W}/interview/records/create",
        archive_body(std_name="王五", doctor_evaluation="情绪低落，有自伤念头", follow_up_plan="每周随访"),
    )

    def names(**filters):
        return [row["std_name"] for row in ws_data(ws(f"{W}/interview/records", filters))["data"]]

    assert names(doctor_evaluation="焦虑") == ["张三"]
    assert names(doctor_evaluation="情绪", follow_up_plan="随访") == ["王五"]
    assert names(doctor_evaluation="情绪", std_name="张") == []
    assert names(follow_up_plan="不存在的计划") == []


@pytest.mark.django_db
def test_archive_create_requires_a_name(ws):
    assert "[std_name]" in ws_error(ws(f"{W}/interview/records/create", archive_body(std_name="")), 400, -2)


@pytest.mark.django_db
def test_records_count_and_profile(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    signature = SimpleUploadedFile("sign.png", PNG)
    attach = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)]
    created = multipart(
        f"{W}/interview/records/profile/create",
        {
            "id": archive_id,
            "name": "张三",
            "gender": "男",
            "studentId": "S1",
            "school": "附中",
            "grade": "高一",
            "class": "3班",
            "date": "2026-09-01",
            "time": "14:00",
            "duration": "50分钟",
            "visitStatus": "已完成",
            "description": "情绪低落",
            "doctorEvaluation": "轻度焦虑",
            "followUpPlan": "复访",
            "nextVisitPlan": "两周后",
            "crisisStatus": "无",
            "consultantName": "王老师",
            "isThirdPartyEvaluation": "false",
            "signatureImage": signature,
            "attachImages": attach,
        },
    )
    record_id = created.json()["id"]
    ws_data(created)
    multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-15"}
    )
    records = ws_data(ws(f"{W}/interview/records/profile", {"id": archive_id}))
    assert [row["count"] for row in records] == ["1", "2"]
    first = records[0]
    assert first["id"] == record_id and first["class"] == "3班" and first["studentId"] == "S1"
    assert first["isThirdPartyEvaluation"] is False and "/file/download?fileName=" in first["signatureImage"]
    assert first["attachImage"] and len(first["attachImages"]) == 2
    # the images come as signed links an <img> tag can show (CONTRACT §11); the token is in no URL
    for link in [first["signatureImage"], *first["attachImages"]]:
        assert "&expires=" in link and "&signature=" in link and "token=" not in link
        assert client_for(None).get(link.split("testserver", 1)[1]).status_code == 200
    listed = ws_data(ws(f"{W}/interview/records"))["data"][0]
    assert listed["interview_count"] == "2"


@pytest.mark.django_db
def test_record_update_changes_only_the_non_basic_fields(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    record_id = multipart(
        f"{W}/interview/records/profile/create",
        {"id": archive_id, "name": "张三", "date": "2026-09-01", "crisisStatus": "无"},
    ).json()["id"]
    updated = ws_data(
        multipart(
            f"{W}/interview/records/profile/update",
            {
                "id": record_id,
                "crisisStatus": "高危",
                "description": "出现自伤念头",
                "name": "改名",
                "date": "2030-01-01",
                "isThirdPartyEvaluation": "true",
            },
        )
    )
    assert updated["crisisStatus"] == "高危" and updated["description"] == "出现自伤念头"
    assert (
        updated["name"] == "张三"
        and updated["date"] == "2026-09-01"
        and updated["isThirdPartyEvaluation"] is True
    )


@pytest.mark.django_db
def test_record_endpoints_validate(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    assert "[date]" in ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "date": "September"}), 400, -2
    )
    bad = SimpleUploadedFile("x.png", b"MZ" + b"\x00" * 100)
    assert "[signatureImage]" in ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "signatureImage": bad}), 400, -2
    )
    assert ws_error(ws(f"{W}/interview/records/profile", {}), 400, -2) == "key [id] not optional"


@pytest.mark.django_db
def test_delete_removes_the_archive_with_its_records_and_is_audited(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-01"}
    )
    ws_data(ws(f"{W}/interview/records/delete", {"id": archive_id}))
    assert not Archive.objects.exists() and not InterviewRecord.objects.exists()
    entry = AuditEntry.objects.get(action="archive.delete")
    assert (
        entry.object_ids == [archive_id]
        and entry.detail["std_name"] == "张三"
        and len(entry.detail["records"]) == 1
    )
    ws_error(ws(f"{W}/interview/records/delete", {"id": archive_id}), 404, -4)


@pytest.mark.django_db
def test_a_counselor_sees_and_changes_only_its_own_archives(ws, multipart, ecnu, media):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    record_id = multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-01"}
    ).json()["id"]
    assert ws_data(ws(f"{W}/interview/records", user=other))["total"] == 0
    ws_error(ws(f"{W}/interview/records/profile", {"id": archive_id}, user=other), 404, -4)
    ws_error(ws(f"{W}/interview/records/delete", {"id": archive_id}, user=other), 404, -4)
    ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "name": "x"}, user=other),
        404,
        -4,
    )
    ws_error(
        multipart(
            f"{W}/interview/records/profile/update", {"id": record_id, "crisisStatus": "x"}, user=other
        ),
        404,
        -4,
    )
    assert Archive.objects.filter(pk=archive_id).exists()
    assert InterviewRecord.objects.get(pk=record_id).crisis_status == ""


@pytest.mark.django_db
def test_empty_form_fields_mean_not_given(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    blank = dict.fromkeys(
        [
            "count",
            "name",
            "gender",
            "studentId",
            "school",
            "grade",
            "class",
            "date",
            "time",
            "duration",
            "visitStatus",
            "description",
            "crisisStatus",
        ],
        "",
    )
    record_id = ws_data(multipart(f"{W}/interview/records/profile/create", {"id": archive_id, **blank}))["id"]
    updated = ws_data(
        multipart(
            f"{W}/interview/records/profile/update",
            {"id": record_id, **blank, "date": "not a date", "crisisStatus": "高危"},
        )
    )
    assert updated["crisisStatus"] == "高危" and updated["count"] == "1"


@pytest.mark.django_db
def test_record_count_beyond_the_column_is_refused(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    response = multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "count": 2147483648})
    assert "[count]" in ws_error(response, 400, -2)
    assert "[id]" in ws_error(ws(f"{W}/orders/accept", {"id": 2**64}), 400, -2)


@pytest.mark.django_db
def test_a_failed_record_write_leaves_no_file_behind(ws, multipart, media, settings):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    response = multipart(
        f"{W}/interview/records/profile/create",
        {
            "id": archive_id,
            "signatureImage": SimpleUploadedFile("sign.png", PNG),
            "attachImages": [SimpleUploadedFile("a.txt", b"not an image")],
        },
    )
    assert "attachImages" in ws_error(response, 400, -2)
    assert InterviewRecord.objects.count() == 0
    stored = settings.MEDIA_ROOT / "files"
    assert not stored.exists() or list(stored.iterdir()) == []


@pytest.mark.django_db
def test_a_committed_record_has_its_files(ws, multipart, media, settings):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    response = multipart(
        f"{W}/interview/records/profile/create",
        {"id": archive_id, "signatureImage": SimpleUploadedFile("sign.png", PNG)},
    )
    record = InterviewRecord.objects.get(pk=ws_data(response)["id"])
    name = record.signature_image.split("fileName=", 1)[1]
    assert (settings.MEDIA_ROOT / "files" / name).read_bytes() == PNG
