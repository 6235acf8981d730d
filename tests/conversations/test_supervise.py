"""PUT /conversation/supervise: a counsellor calls in its supervisor (seed §28)."""

import pytest

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import UserType


@pytest.mark.django_db
def test_counselor_requests_supervision(as_user, visitor, on_duty, supervisor):
    on_duty.supervisors.add(supervisor)
    session = result_of(start(as_user(visitor), on_duty))
    answered = result_of(
        as_user(on_duty).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        )
    )
    # The answer is the supervised session itself, the new supervision's id ending its conversationIds.
    assert answered["id"] == session["id"] and answered["conversationType"] == "COUNSELING_SESSION"
    assert answered["user"]["id"] == visitor.id
    supervision_id = answered["conversationIds"][-1]
    again = result_of(
        as_user(on_duty).put(
            "/conversation/supervise",
            {"supervise": supervisor.id, "conversationId": session["id"]},
            format="json",
        )
    )
    assert again["id"] == session["id"] and again["conversationIds"] == [supervision_id]
    records = result_of(as_user(supervisor).get("/conversation/consultlist"))
    by_id = {row["id"]: row for row in records}
    assert by_id[session["id"]]["conversationIds"] == [supervision_id]
    supervision = by_id[supervision_id]
    assert supervision["conversationType"] == "REQUEST_SUPERVISE" and supervision["status"] == "IN_PROGRESS"
    assert supervision["conversationId"] == session["id"]
    assert supervision["user"]["id"] == on_duty.id and supervision["counselor"]["id"] == supervisor.id


@pytest.mark.django_db
def test_supervision_rules(as_user, visitor, on_duty, supervisor, ecnu):
    session = result_of(start(as_user(visitor), on_duty))
    client = as_user(on_duty)
    assert "[supervise]" in error_of(
        client.put(f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"),
        400,
        -2,
    )
    on_duty.supervisors.add(supervisor)
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    other.supervisors.add(supervisor)
    error_of(
        as_user(other).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        ),
        404,
        -4,
    )
    error_of(
        as_user(visitor).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        ),
        403,
        -5,
    )
    assert (
        error_of(client.put(f"/conversation/supervise?conversationId={session['id']}"), 400, -2)
        == "key [supervise] not optional"
    )
    result_of(client.post(f"/conversation/end/{session['id']}"))
    assert "[conversationId]" in error_of(
        client.put(f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"),
        400,
        -2,
    )


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
def test_a_supervisor_whose_approval_was_withdrawn_cannot_be_called_in(
    as_user, visitor, on_duty, supervisor, inst_admin
):
    on_duty.supervisors.add(supervisor)
    session = result_of(start(as_user(visitor), on_duty))
    result_of(as_user(inst_admin).post(f"/user/approve/{supervisor.id}?approved=false"))
    url = f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
    assert "[supervise]" in error_of(as_user(on_duty).put(url), 400, -2)
    assert not Conversation.objects.filter(counselor=supervisor).exists()
    assert error_of(as_user(supervisor).get("/conversation/consultlist"), 403, -5) == "账号待审核"
