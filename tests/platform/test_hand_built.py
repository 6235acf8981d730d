"""Serializers whose JSON is built by hand (`hotline.api.fields.HandBuilt`, performance, issue 13) answer
exactly what DRF's walk over their declared fields answers: same keys, same order, same values, for every
viewer and for the kinds of rows a conversation page shows (waiting, in progress, finished and rated,
supervision, flagged, a visitor with every contact filled in)."""

import pytest

from conversations.selectors import attach_shown_figures, conversations_in_order
from conversations.serializers import ConversationSerializer, EvaluationSerializer
from tests.conversations.helpers import start
from tests.helpers import make_user, put_on_duty, result_of
from users.models import User, UserType
from users.serializers import MeSerializer, UserSerializer


def _same(serializer, instance):
    built = serializer.built(instance)
    walked = serializer.fields_representation(instance)
    assert list(built) == list(serializer.fields), type(serializer).__name__
    assert built == walked, (type(serializer).__name__, built, walked)


@pytest.mark.django_db
def test_hand_built_json_equals_the_declared_fields(as_user, ecnu, sysadmin, inst_admin, supervisor):
    counselor = make_user(
        UserType.COUNSELOR,
        inst=ecnu,
        name="李老师",
        gender="女",
        department="心理中心",
        title="讲师",
        qualification="二级",
        qualification_code="Q-1",
        phone_number="13812345678",
    )
    counselor.supervisors.add(supervisor)
    put_on_duty(counselor)
    User.objects.filter(pk=counselor.pk).update(max_consults=1)
    full = make_user(
        UserType.VISITOR,
        inst=ecnu,
        name="欧阳娜娜",
        open_id="o-full",
        avatar_url="https://a/b.png",
        age=19,
        phone_number="13912345678",
        email="zhang@example.com",
        id_number="110101200001011234",
        emergency_contact="欧阳峰",
        emergency_phone="13700001111",
        gender="女",
    )
    bare = make_user(UserType.VISITOR, inst=ecnu)
    third = make_user(UserType.VISITOR, inst=ecnu, name="王五")
    running = result_of(start(as_user(full), counselor))
    assert result_of(start(as_user(bare), counselor))["status"] == "WAITING"
    result_of(
        as_user(counselor).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={running['id']}"
        )
    )
    result_of(
        as_user(counselor).post(
            f"/conversation/{running['id']}/risk", {"level": "HIGH", "note": "x"}, format="json"
        )
    )
    result_of(as_user(full).post(f"/conversation/end/{running['id']}"))
    result_of(
        as_user(full).put(
            "/evaluate",
            {"conversationId": running["id"], "objectType": "CONVERSATION", "content": "很好", "level": 5},
            format="json",
        )
    )
    result_of(start(as_user(third), counselor))

    viewers = (sysadmin, inst_admin, supervisor, counselor, full, bare)
    seen = 0
    for viewer in viewers:
        keys = [row["id"] for row in result_of(as_user(sysadmin).get("/conversation/consultlist?size=50"))]
        rows = conversations_in_order(viewer, keys)
        attach_shown_figures(rows)  # as the list serializer does before building its rows
        for row in rows:
            seen += 1
            conversation = ConversationSerializer(context={"viewer": viewer})
            _same(conversation, row)
            for context in ({"viewer": viewer}, {"viewer": viewer, "open_session": True}, {}):
                _same(UserSerializer(context=context), row.user)
                _same(UserSerializer(context=context), row.counselor)
            if getattr(row, "evaluation", None) is not None:
                _same(EvaluationSerializer(), row.evaluation)
        if viewer.type != UserType.VISITOR:
            listed = result_of(as_user(viewer).get("/conversation/consultlist?size=50"))
            assert listed == ConversationSerializer(rows, many=True, context={"viewer": viewer}).data
    statuses = {row["status"] for row in result_of(as_user(sysadmin).get("/conversation/consultlist"))}
    assert statuses == {"WAITING", "IN_PROGRESS", "FINISHED"} and seen >= 12
    # A subclass that declares other fields and builds nothing itself is rendered by DRF's walk.
    assert UserSerializer.hand_built and not MeSerializer.hand_built
    me = MeSerializer(sysadmin, context={"viewer": sysadmin}).data
    assert me["authorities"] == [{"authority": "ROLE_SYSTEM_ADMINISTRATOR"}]
