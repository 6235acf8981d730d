"""Interview record and intake profile texts encrypted at rest (issue 12)."""

import pytest

from consultant.models import Archive, IntakeProfile, InterviewRecord
from tests.consultant.helpers import W, archive_body, order_body, ws_data
from tests.encryption import assert_ciphertext, stored

# ---- case files --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_interview_texts_and_intake_profiles_round_trip_and_are_encrypted(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body(doctor_evaluation="评估：抑郁倾向")).json()[
        "id"
    ]
    texts = {
        "description": "自述失眠两月",
        "doctorEvaluation": "中度焦虑",
        "followUpPlan": "每周复访",
        "nextVisitPlan": "下周二",
    }
    created = multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", **texts})
    record_id = created.json()["id"]
    record = ws_data(ws(f"{W}/interview/records/profile", {"id": archive_id}))[0]
    assert {key: record[key] for key in texts} == texts and record["name"] == "张三"
    assert_ciphertext(
        stored(
            InterviewRecord,
            record_id,
            "description",
            "doctor_evaluation",
            "follow_up_plan",
            "next_visit_plan",
        ),
        *texts.values(),
    )
    assert stored(InterviewRecord, record_id, "name") == {"name": "张三"}  # names stay plain
    listed = ws_data(ws(f"{W}/interview/records"))["data"][0]
    assert listed["doctor_evaluation"] == "评估：抑郁倾向" and listed["follow_up_plan"] == ""
    assert_ciphertext(stored(Archive, archive_id, "doctor_evaluation"), "抑郁")
    assert stored(Archive, archive_id, "follow_up_plan") == {"follow_up_plan": ""}

    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    profile = {
        "name": "张三",
        "contact": "13800000000",
        "emergencyContact": {"name": "张父", "relationship": "父亲", "phone": "13900000000"},
        "complaint": "失眠",
    }
    ws_data(ws(f"{W}/interview/records/personal-profile/update", {"id": order_id, "profile": profile}))
    read_back = ws_data(ws(f"{W}/interview/records/personal-profile", {"id": order_id}))
    assert read_back["complaint"] == "失眠" and read_back["emergencyContact"]["phone"] == "13900000000"
    assert_ciphertext(stored(IntakeProfile, order_id, "data"), "失眠", "13900000000", "complaint")
