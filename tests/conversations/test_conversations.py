"""Conversations: start, queue, end, supervision, records, current, timeout, deletion (seed §26–29, §36)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.models import Conversation
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import AuditEntry, UserType


def start(client, counselor):
    return client.put("/conversation", {"counselor": counselor.id}, format="json")


@pytest.fixture
def on_duty(counselor):
    put_on_duty(counselor)
    return counselor


@pytest.fixture
def visitors(ecnu):
    return [make_user(UserType.VISITOR, inst=ecnu, name=f"访客{i}") for i in range(4)]


# ---- start ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitor_starts_a_conversation(as_user, visitor, on_duty):
    result = result_of(start(as_user(visitor), on_duty))
    assert result["status"] == "IN_PROGRESS" and result["conversationType"] == "COUNSELING_SESSION"
    assert result["endTime"] == 0 and result["duration"] == 0 and result["startTime"] > 0
    assert result["conversationId"] is None and result["conversationIds"] == [] and result["evaluate"] is None
    assert result["user"]["id"] == visitor.id and result["counselor"]["id"] == on_duty.id
    assert result["counselor"]["roles"] == "ROLE_COUNSELOR" and result["queuePosition"] == 0
    assert result["createTime"] == result["createdTime"] and len(result["id"]) == 32
    assert result["counselor"]["idNumber"] is None  # a visitor never sees a counsellor's ID number


@pytest.mark.django_db
def test_counselor_must_be_on_duty_today(as_user, visitor, counselor):
    assert "[counselor]" in error_of(start(as_user(visitor), counselor), 400, -2)
    put_on_duty(counselor, day=timezone.localdate() + timedelta(days=1))
    error_of(start(as_user(visitor), counselor), 400, -2)
    assert not Conversation.objects.exists()


@pytest.mark.django_db
def test_unknown_or_foreign_counselor_is_404(as_user, visitor, other_inst, supervisor):
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    put_on_duty(stranger, supervisor)
    error_of(as_user(visitor).put("/conversation", {"counselor": "0" * 32}, format="json"), 404, -4)
    error_of(start(as_user(visitor), stranger), 404, -4)
    error_of(start(as_user(visitor), supervisor), 404, -4)


@pytest.mark.django_db
def test_disabled_counselor_is_refused(as_user, visitor, on_duty):
    on_duty.enabled = False
    on_duty.save()
    error_of(start(as_user(visitor), on_duty), 400, -2)


@pytest.mark.django_db
def test_only_visitors_start_conversations(as_user, on_duty, inst_admin):
    error_of(start(as_user(on_duty), on_duty), 403, -5)
    error_of(start(as_user(inst_admin), on_duty), 403, -5)


@pytest.mark.django_db
def test_start_requires_counselor_field(as_user, visitor):
    assert (
        error_of(as_user(visitor).put("/conversation", {}, format="json"), 400, -2)
        == "key [counselor] not optional"
    )


@pytest.mark.django_db
def test_one_open_conversation_per_visitor(as_user, visitor, on_duty, ecnu):
    first = result_of(start(as_user(visitor), on_duty))
    again = result_of(start(as_user(visitor), on_duty))
    assert again["id"] == first["id"]
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    put_on_duty(other)
    error_of(start(as_user(visitor), other), 400, -2)
    assert Conversation.objects.count() == 1


@pytest.mark.django_db
def test_full_counselor_queues_visitors_in_arrival_order(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    results = [result_of(start(as_user(v), on_duty)) for v in visitors[:3]]
    assert [r["status"] for r in results] == ["IN_PROGRESS", "WAITING", "WAITING"]
    assert [r["queuePosition"] for r in results] == [0, 1, 2]
    assert results[1]["startTime"] == 0
    assert result_of(as_user(visitors[2]).get("/conversation/current"))["queuePosition"] == 2
    result_of(as_user(visitors[0]).post(f"/conversation/end/{results[0]['id']}"))
    promoted = result_of(as_user(visitors[1]).get("/conversation/current"))
    assert (
        promoted["status"] == "IN_PROGRESS" and promoted["queuePosition"] == 0 and promoted["startTime"] > 0
    )
    assert result_of(as_user(visitors[2]).get("/conversation/current"))["queuePosition"] == 1


@pytest.mark.django_db
def test_lowering_max_consults_keeps_running_conversations(as_user, visitors, on_duty):
    for visitor in visitors[:2]:
        result_of(start(as_user(visitor), on_duty))
    result_of(as_user(on_duty).post("/user/maxconsults", {"maxConsults": 1}, format="json"))
    assert Conversation.objects.filter(status="IN_PROGRESS").count() == 2
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"


# ---- end ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ending_sets_duration_and_counselor_total_time(as_user, visitor, on_duty):
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(minutes=10)
    )
    assert result_of(as_user(visitor).post(f"/conversation/end/{conversation['id']}")) == "ok"
    ended = result_of(as_user(visitor).get("/conversation/current"))
    assert ended["status"] == "FINISHED" and ended["queuePosition"] is None
    assert ended["endTime"] > ended["startTime"] and 600_000 <= ended["duration"] < 610_000
    on_duty.refresh_from_db()
    assert on_duty.total_time == ended["duration"]
    assert "会话已结束" in error_of(as_user(visitor).post(f"/conversation/end/{conversation['id']}"), 400, -2)


@pytest.mark.django_db
def test_who_may_end_a_conversation(as_user, visitors, on_duty, supervisor, inst_admin, other_admin):
    on_duty.supervisors.add(supervisor)
    ids = [result_of(start(as_user(v), on_duty))["id"] for v in visitors[:3]]
    error_of(as_user(visitors[3]).post(f"/conversation/end/{ids[0]}"), 404, -4)
    error_of(as_user(other_admin).post(f"/conversation/end/{ids[0]}"), 404, -4)
    error_of(as_user(supervisor).post(f"/conversation/end/{ids[0]}"), 403, -5)
    result_of(as_user(on_duty).post(f"/conversation/end/{ids[0]}"))
    result_of(as_user(inst_admin).post(f"/conversation/end/{ids[1]}"))
    result_of(as_user(visitors[2]).post(f"/conversation/end/{ids[2]}"))
    assert set(Conversation.objects.values_list("status", flat=True)) == {"FINISHED"}
    error_of(as_user(inst_admin).post("/conversation/end/" + "0" * 32), 404, -4)


@pytest.mark.django_db
def test_waiting_visitor_may_cancel(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(visitors[1]).post(f"/conversation/end/{waiting['id']}"))
    cancelled = Conversation.objects.get(pk=waiting["id"])
    assert cancelled.status == "FINISHED" and cancelled.duration == 0
    on_duty.refresh_from_db()
    assert on_duty.total_time == 0


# ---- supervision ----------------------------------------------------------------------------------


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


# ---- records --------------------------------------------------------------------------------------


@pytest.fixture
def two_institutions(ecnu, other_inst, supervisor):
    """Counsellor A (supervised) and B in ecnu, C in sjtu, one finished session each."""
    a = make_user(UserType.COUNSELOR, inst=ecnu, username="counsel_a", name="甲老师")
    b = make_user(UserType.COUNSELOR, inst=ecnu, username="counsel_b", name="乙老师")
    c = make_user(UserType.COUNSELOR, inst=other_inst, username="counsel_c", name="丙老师")
    a.supervisors.add(supervisor)
    now = timezone.now()
    made = {}
    for index, counselor in enumerate((a, b, c)):
        visitor = make_user(UserType.VISITOR, inst=counselor.institution, name=f"来访者{index}")
        made[counselor.username] = Conversation.objects.create(
            status="FINISHED",
            user=visitor,
            counselor=counselor,
            institution=counselor.institution,
            start_time=now - timedelta(hours=3 - index),
            end_time=now - timedelta(hours=2 - index),
            duration=(index + 1) * 1000,
        )
    return a, b, c, made


@pytest.mark.django_db
def test_consultlist_is_scoped_by_role(as_user, sysadmin, inst_admin, supervisor, two_institutions):
    a, b, c, made = two_institutions

    def ids(user):
        return {row["id"] for row in result_of(as_user(user).get("/conversation/consultlist"))}

    assert ids(sysadmin) == {conv.id for conv in made.values()}
    assert ids(inst_admin) == {made["counsel_a"].id, made["counsel_b"].id}
    assert ids(a) == {made["counsel_a"].id}
    assert ids(supervisor) == {made["counsel_a"].id}
    assert ids(c) == {made["counsel_c"].id}
    error_of(as_user(made["counsel_a"].user).get("/conversation/consultlist"), 403, -5)


@pytest.mark.django_db
def test_consultlist_sorts_filters_and_pages(as_user, sysadmin, two_institutions):
    a, b, c, made = two_institutions
    client = as_user(sysadmin)

    def order(**params):
        return [
            row["counselor"]["username"] for row in result_of(client.get("/conversation/consultlist", params))
        ]

    assert order() == ["counsel_c", "counsel_b", "counsel_a"]  # startTime desc
    assert order(property="duration", direction="asc") == ["counsel_a", "counsel_b", "counsel_c"]
    assert order(counselorName="乙") == ["counsel_b"]
    assert order(visitorName="来访者2") == ["counsel_c"]
    start_b = int(made["counsel_b"].start_time.timestamp() * 1000)
    assert order(startTime=start_b) == ["counsel_c", "counsel_b"]
    assert order(endTime=start_b) == ["counsel_b", "counsel_a"]
    page = client.get("/conversation/consultlist", {"size": 2}).json()
    assert page["count"] == 3 and page["next"] == 2
    assert "[property]" in error_of(client.get("/conversation/consultlist", {"property": "name"}), 400, -2)
    assert "[direction]" in error_of(client.get("/conversation/consultlist", {"direction": "up"}), 400, -2)
    assert "[startTime]" in error_of(client.get("/conversation/consultlist", {"startTime": "soon"}), 400, -2)


@pytest.mark.django_db
def test_consultlist_sorts_by_level(as_user, sysadmin, two_institutions):
    from evaluations.models import Evaluation

    a, b, c, made = two_institutions
    for username, level in (("counsel_a", 5), ("counsel_b", 2)):
        conv = made[username]
        Evaluation.objects.create(conversation=conv, level=level, creator=conv.user)
    rows = result_of(
        as_user(sysadmin).get("/conversation/consultlist", {"property": "level", "direction": "desc"})
    )
    assert [row["counselor"]["username"] for row in rows] == ["counsel_a", "counsel_b", "counsel_c"]
    assert rows[0]["evaluate"]["level"] == 5 and rows[0]["evaluate"]["objectType"] == "CONVERSATION"


@pytest.mark.django_db
def test_consultlist_runs_a_fixed_number_of_queries(
    as_user, sysadmin, ecnu, supervisor, django_assert_max_num_queries
):
    from evaluations.models import Evaluation

    for index in range(15):
        counselor = make_user(UserType.COUNSELOR, inst=ecnu)
        counselor.supervisors.add(supervisor)
        visitor = make_user(UserType.VISITOR, inst=ecnu)
        conv = Conversation.objects.create(
            status="FINISHED", user=visitor, counselor=counselor, institution=ecnu, start_time=timezone.now()
        )
        Conversation.objects.create(
            status="FINISHED",
            type="REQUEST_SUPERVISE",
            user=counselor,
            counselor=supervisor,
            institution=ecnu,
            parent=conv,
        )
        if index % 2:
            Evaluation.objects.create(conversation=conv, level=4, creator=visitor)
    client = as_user(sysadmin)
    # caller, overdue check, count, page, prefetches: supervisions, user supervisors, counselor supervisors
    with django_assert_max_num_queries(7):
        assert len(result_of(client.get("/conversation/consultlist", {"size": 100}))) == 30


@pytest.mark.django_db
def test_current_runs_a_fixed_number_of_queries(as_user, visitor, on_duty, django_assert_max_num_queries):
    result_of(start(as_user(visitor), on_duty))
    client = as_user(visitor)
    with django_assert_max_num_queries(7):
        assert result_of(client.get("/conversation/current"))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_current_is_null_then_open_then_most_recent(as_user, visitor, on_duty):
    client = as_user(visitor)
    assert client.get("/conversation/current").json() == {"code": 0, "message": "OK", "result": None}
    first = result_of(start(client, on_duty))
    assert result_of(client.get("/conversation/current"))["id"] == first["id"]
    result_of(client.post(f"/conversation/end/{first['id']}"))
    assert result_of(client.get("/conversation/current"))["status"] == "FINISHED"
    error_of(as_user(on_duty).get("/conversation/current"), 403, -5)


# ---- timeout --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_expire_command_times_out_and_promotes(as_user, visitors, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    on_duty.max_consults = 1
    on_duty.save()
    running = result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    Conversation.objects.filter(pk=running["id"]).update(start_time=timezone.now() - timedelta(minutes=1))
    call_command("expire_conversations")
    timed_out = Conversation.objects.get(pk=running["id"])
    assert timed_out.status == "TIME_OUT" and timed_out.duration == 30_000
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"
    on_duty.refresh_from_db()
    assert on_duty.total_time == 30_000


@pytest.mark.django_db
def test_reads_never_show_an_overdue_conversation_in_progress(
    as_user, visitor, on_duty, inst_admin, settings
):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.05  # 3 seconds
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(seconds=4)
    )
    assert result_of(as_user(visitor).get("/conversation/current"))["status"] == "TIME_OUT"
    assert result_of(as_user(inst_admin).get("/conversation/consultlist"))[0]["status"] == "TIME_OUT"


@pytest.mark.django_db
def test_waiting_conversations_do_not_time_out(as_user, visitors, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.05
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    Conversation.objects.filter(pk=waiting["id"]).update(created_at=timezone.now() - timedelta(hours=2))
    call_command("expire_conversations")
    assert Conversation.objects.get(pk=waiting["id"]).status == "WAITING"


# ---- delete ---------------------------------------------------------------------------------------


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
    entry = AuditEntry.objects.get(action="conversation.delete")
    assert entry.actor_username == "ecnu_admin" and set(entry.object_ids) == {
        session["id"],
        supervised["conversationIds"][-1],
    }
    assert Conversation.objects.filter(pk=session["id"], deleted_at__isnull=False).exists()  # kept, hidden
    assert result_of(start(as_user(visitor), on_duty))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_delete_of_another_institutions_conversation_is_404(as_user, visitor, on_duty, other_admin):
    session = result_of(start(as_user(visitor), on_duty))
    error_of(as_user(other_admin).delete(f"/conversation/{session['id']}"), 404, -4)
    assert Conversation.objects.get(pk=session["id"]).deleted_at is None
    assert not AuditEntry.objects.exists()


# ---- review findings: fairness, capacity changes, staff leaving ---------------------------------------


@pytest.mark.django_db
def test_raising_max_consults_starts_waiting_visitors_first(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(on_duty).post("/user/maxconsults", {"maxConsults": 2}, format="json"))
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"


@pytest.mark.django_db
def test_admin_raising_max_consults_starts_waiting_visitors(as_user, visitors, on_duty, inst_admin):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(
        as_user(inst_admin).post(
            "/user/ms/counselor", {"username": on_duty.username, "maxConsults": 3}, format="json"
        )
    )
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"


@pytest.mark.django_db
def test_newcomer_never_jumps_the_queue(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    first = result_of(start(as_user(visitors[0]), on_duty))
    result_of(start(as_user(visitors[1]), on_duty))
    # Capacity frees without promotion (e.g. an operator edits maxConsults in the admin).
    type(on_duty).objects.filter(pk=on_duty.pk).update(max_consults=2)
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"
    assert first["status"] == "IN_PROGRESS"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["delete", "ban"])
def test_visitors_are_released_when_their_counselor_leaves(as_user, visitors, on_duty, inst_admin, ecnu, how):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    result_of(start(as_user(visitors[1]), on_duty))
    admin = as_user(inst_admin)
    if how == "delete":
        result_of(admin.delete(f"/user/ms/counselor/{on_duty.username}"))
    else:
        result_of(admin.post(f"/user/ban/{on_duty.id}"))
    assert set(Conversation.objects.values_list("status", flat=True)) == {"FINISHED"}
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    put_on_duty(other)
    assert result_of(start(as_user(visitors[1]), other))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_banned_visitor_frees_its_place(as_user, visitors, on_duty, inst_admin):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(inst_admin).post(f"/user/ban/{visitors[0].id}"))
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/user/ban/%00"),
        ("post", "/user/active/%00"),
        ("delete", "/user/ms/counselor/%00"),
        ("delete", "/arrange/%00"),
        ("post", "/conversation/end/%00"),
        ("delete", "/conversation/%00"),
        ("get", "/message/conversation/web?conversationId=%00"),
        ("post", "/user/ban/not-an-id"),
    ],
)
def test_odd_path_values_never_crash(as_user, sysadmin, method, path):
    response = getattr(as_user(sysadmin), method)(path)
    assert response.status_code in (400, 404) and response.json()["code"] in (-2, -4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/arrange/theday?timestamp=253402300799999&type=COUNSELOR",
        "/conversation/consultlist?startTime=253402300799999",
        "/conversation/consultlist?endTime=253402300799999",
    ],
)
def test_far_future_timestamps_are_rejected_not_crashed(as_user, sysadmin, path):
    assert as_user(sysadmin).get(path).json()["code"] == -2
