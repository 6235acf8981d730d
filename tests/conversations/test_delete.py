"""DELETE /conversation/{id}: hidden everywhere, audited (seed §36)."""

import pytest

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import AuditEntry, UserType


@pytest.mark.django_db
def test_admin_deletes_a_conversation_everywhere_and_it_is_audited(
    as_user, visitor, on_duty, inst_admin, supervisor
):
    on_duty.supervisors.add(supervisor)
    session = result_of(start(as_user(visitor), on_duty))
    supervised = result_of(
        as_user(on_duty).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        )
    )
    admin = as_user(inst_admin)
    error_of(as_user(on_duty).delete(f"/conversation/{session['id']}"), 403, -5)
    assert result_of(admin.delete(f"/conversation/{session['id']}")) == "ok"
    assert result_of(admin.get("/conversation/consultlist")) == []
    assert result_of(admin.get("/conversation/7statistics"))["7"] == 0
    assert as_user(visitor).get("/conversation/current").json()["result"] is None
    error_of(admin.delete(f"/conversation/{session['id']}"), 404, -4)
    entries = AuditEntry.objects.filter(action="conversation.delete")  # one row per conversation
    assert {entry.actor_username for entry in entries} == {"ecnu_admin"}
    assert {entry.object_id for entry in entries} == {session["id"], supervised["conversationIds"][-1]}
    assert Conversation.objects.filter(pk=session["id"], deleted_at__isnull=False).exists()  # kept, hidden
    assert result_of(start(as_user(visitor), on_duty))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_delete_of_another_institutions_conversation_is_404(as_user, visitor, on_duty, other_admin):
    session = result_of(start(as_user(visitor), on_duty))
    error_of(as_user(other_admin).delete(f"/conversation/{session['id']}"), 404, -4)
    assert Conversation.objects.get(pk=session["id"]).deleted_at is None
    assert not AuditEntry.objects.exists()


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
