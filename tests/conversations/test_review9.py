"""Behaviours added after the second review: privacy for visitors, admin edits, odd characters."""

import pytest

from conversations.models import Conversation
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import UserType


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
def test_disabling_in_the_admin_form_ends_open_conversations(client, sysadmin, visitor, counselor, as_user):
    put_on_duty(counselor)
    result_of(as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json"))
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    url = f"/admin/users/user/{counselor.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name != "supervisors"
    }
    data.update(enabled="", institution=counselor.institution_id, max_consults=5)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    counselor.refresh_from_db()
    assert counselor.enabled is False
    assert Conversation.objects.get().status == "FINISHED"


@pytest.mark.django_db
def test_lone_surrogates_in_json_are_refused_not_crashed(as_user, inst_admin, anon):
    body = '["\\ud800"]'
    response = as_user(inst_admin).post(
        "/conversation/batchexport", data=body, content_type="application/json"
    )
    assert response.status_code in (400, 404) and response.json()["code"] in (-2, -4)
    response = anon.post(
        "/api/consultant/user/profile",
        data='{"token": "\\ud800", "userID": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["code"] == 401


@pytest.mark.django_db
def test_supervision_of_an_ended_session_is_refused(as_user, visitor, counselor, supervisor):
    counselor.supervisors.add(supervisor)
    put_on_duty(counselor)
    session = result_of(as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json"))
    result_of(as_user(visitor).post(f"/conversation/end/{session['id']}"))
    response = as_user(counselor).put(
        f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
    )
    assert "[conversationId]" in error_of(response, 400, -2)
    assert not Conversation.objects.filter(type="REQUEST_SUPERVISE").exists()


@pytest.mark.django_db
def test_deleting_a_session_with_an_open_supervision_counts_the_supervisors_time(
    as_user, visitor, counselor, supervisor, inst_admin
):
    counselor.supervisors.add(supervisor)
    put_on_duty(counselor)
    session = result_of(as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json"))
    result_of(
        as_user(counselor).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        )
    )
    result_of(as_user(inst_admin).delete(f"/conversation/{session['id']}"))
    assert set(Conversation.objects.values_list("status", flat=True)) == {"FINISHED"}
    other = make_user(UserType.VISITOR, inst=visitor.institution)
    assert result_of(as_user(other).put("/conversation", {"counselor": counselor.id}, format="json"))[
        "status"
    ] == ("IN_PROGRESS")
