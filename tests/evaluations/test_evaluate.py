"""Visitors rate their conversations (seed §38 新建评价)."""

import pytest

from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import UserType


@pytest.fixture
def session(as_user, visitor, counselor):
    put_on_duty(counselor)
    return result_of(as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json"))


def evaluate(client, conversation_id, level=5, content="挺好的", **extra):
    body = {
        "conversationId": conversation_id,
        "objectType": "CONVERSATION",
        "level": level,
        "content": content,
    }
    body.update(extra)
    return client.put("/evaluate", body, format="json")


@pytest.mark.django_db
def test_visitor_rates_its_conversation_once(as_user, visitor, session):
    result = result_of(evaluate(as_user(visitor), session["id"]))
    assert result["level"] == 5 and result["content"] == "挺好的" and result["objectType"] == "CONVERSATION"
    assert (
        result["creator"] == visitor.id and len(result["id"]) == 32 and isinstance(result["createTime"], int)
    )
    shown = result_of(as_user(visitor).get("/conversation/current"))
    assert shown["evaluate"]["id"] == result["id"]
    assert "评价已存在" == error_of(evaluate(as_user(visitor), session["id"], level=1), 400, -2)


@pytest.mark.django_db
def test_counselor_level_is_the_mean_of_its_evaluations(as_user, visitor, session, counselor):
    result_of(evaluate(as_user(visitor), session["id"], level=4))
    row = result_of(
        as_user(visitor).get("/arrange/theday", {"timestamp": session["createTime"], "type": "COUNSELOR"})
    )[0]
    assert row["level"] == 4


@pytest.mark.django_db
def test_a_new_rating_shows_at_once_in_the_cached_level(as_user, visitor, session, counselor, ecnu):
    def level():
        rows = result_of(
            as_user(visitor).get("/arrange/theday", {"timestamp": session["createTime"], "type": "COUNSELOR"})
        )
        return rows[0]["level"]

    assert level() is None  # now cached for the counsellor
    result_of(evaluate(as_user(visitor), session["id"], level=4))
    assert level() == 4
    other = make_user(UserType.VISITOR, inst=ecnu)
    second = result_of(as_user(other).put("/conversation", {"counselor": counselor.id}, format="json"))
    result_of(evaluate(as_user(other), second["id"], level=1))
    assert level() == 2.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "level,extra,field",
    [
        (0, {}, "level"),
        (6, {}, "level"),
        ("good", {}, "level"),
        (5, {"objectType": "COUNSELOR"}, "objectType"),
    ],
)
def test_evaluation_input_is_checked(as_user, visitor, session, level, extra, field):
    assert f"[{field}]" in error_of(evaluate(as_user(visitor), session["id"], level=level, **extra), 400, -2)


@pytest.mark.django_db
def test_only_the_conversations_visitor_may_rate(as_user, session, ecnu, counselor):
    stranger = make_user(UserType.VISITOR, inst=ecnu)
    error_of(evaluate(as_user(stranger), session["id"]), 404, -4)
    error_of(evaluate(as_user(counselor), session["id"]), 403, -5)
    error_of(evaluate(as_user(stranger), "0" * 32), 404, -4)


@pytest.mark.django_db
def test_waiting_conversation_cannot_be_rated(as_user, counselor, ecnu, session):
    counselor.max_consults = 1
    counselor.save()
    waiting_visitor = make_user(UserType.VISITOR, inst=ecnu)
    waiting = result_of(
        as_user(waiting_visitor).put("/conversation", {"counselor": counselor.id}, format="json")
    )
    assert waiting["status"] == "WAITING"
    assert "[conversationId]" in error_of(evaluate(as_user(waiting_visitor), waiting["id"]), 400, -2)
