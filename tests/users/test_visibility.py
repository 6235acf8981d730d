"""What of a user's object each viewer sees (CONTRACT §4): contacts and ID numbers."""

import pytest

from tests.helpers import put_on_duty, result_of
from users.serializers import UserSerializer


@pytest.mark.django_db
def test_a_visitor_never_sees_a_counselors_contacts(as_user, visitor, counselor):
    counselor.phone_number = "13122334567"
    counselor.email = "li@example.com"
    counselor.emergency_phone = "13900000000"
    counselor.save()
    put_on_duty(counselor)
    conversation = result_of(
        as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json")
    )
    shown = conversation["counselor"]
    assert shown["phoneNumber"] is None and shown["email"] is None and shown["emergencyPhone"] is None
    assert shown["name"] == "李玫瑾"
    own = result_of(as_user(counselor).get("/conversation/consultlist"))[0]["counselor"]
    assert own["phoneNumber"] == "13122334567"


@pytest.mark.django_db
def test_without_a_viewer_the_user_json_hides_contacts_and_id_number(counselor):
    counselor.phone_number = "13122334567"
    counselor.id_number = "310101199001011234"
    counselor.save()
    shown = UserSerializer(counselor).data
    assert shown["phoneNumber"] is None and shown["idNumber"] is None and shown["name"] == "李玫瑾"
    assert UserSerializer(counselor, context={"viewer": counselor}).data["phoneNumber"] == "13122334567"
