"""The operators' dashboard (/admin/dashboard/): its figures against a known dataset, per scope."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conversations.models import Alert, Conversation
from hotline.api.timeutil import day_start, today
from hotline.dashboard.views import figures_for
from tests.helpers import make_user
from users.models import UserType

URL = "/admin/dashboard/"


def _session(visitor, counselor, *, created, started=None, status="FINISHED"):
    conversation = Conversation.objects.create(
        user=visitor,
        counselor=counselor,
        institution=counselor.institution,
        status=status,
        start_time=started,
    )
    Conversation.objects.filter(pk=conversation.pk).update(created_at=created)
    return conversation


def _at(days_ago, hour, minute=0):
    return day_start(today() - timedelta(days=days_ago)) + timedelta(hours=hour, minutes=minute)


@pytest.fixture
def dataset(ecnu, other_inst):
    """ecnu: 李玫瑾 3 sessions today (waits 300, 60, 120 s), 王敏 1 (600 s), 2 waiting now, 2 sessions two
    days ago, 1 six days ago. sjtu: 赵云 5 sessions today (30 s each), 1 waiting."""
    li = make_user(UserType.COUNSELOR, inst=ecnu, username="li", name="李玫瑾")
    wang = make_user(UserType.COUNSELOR, inst=ecnu, username="wang", name="王敏")
    zhao = make_user(UserType.COUNSELOR, inst=other_inst, username="zhao", name="赵云")

    def visitor(inst):
        return make_user(UserType.VISITOR, inst=inst)

    _session(visitor(ecnu), li, created=_at(0, 8, 55), started=_at(0, 9))
    _session(visitor(ecnu), li, created=_at(0, 9, 29), started=_at(0, 9, 30))
    _session(visitor(ecnu), li, created=_at(0, 13, 58), started=_at(0, 14))
    _session(visitor(ecnu), wang, created=_at(0, 14), started=_at(0, 14, 10))
    _session(visitor(ecnu), li, created=_at(0, 15), status="WAITING")
    _session(visitor(ecnu), wang, created=_at(0, 15, 1), status="WAITING")
    _session(visitor(ecnu), li, created=_at(2, 10), started=_at(2, 10))
    _session(visitor(ecnu), wang, created=_at(2, 11), started=_at(2, 11))
    _session(visitor(ecnu), wang, created=_at(6, 10), started=_at(6, 10))
    sjtu = [
        _session(
            visitor(other_inst), zhao, created=_at(0, 20, 0), started=_at(0, 20, 0) + timedelta(seconds=30)
        )
        for _ in range(5)
    ]
    _session(visitor(other_inst), zhao, created=_at(0, 21), status="WAITING")
    return {"ecnu": li, "sjtu": sjtu}


def _operator(user):
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_institution_admin_sees_its_institution_figures(dataset, inst_admin):
    response = _operator(inst_admin).get(URL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [count for _, count in figures["week"]] == [1, 0, 0, 0, 2, 0, 6]
    assert figures["week"][-1][0] == today()
    hours = dict(figures["hours"])
    assert hours[9] == 2 and hours[14] == 2 and sum(hours.values()) == 4
    assert figures["waiting"] == 2
    assert figures["median_wait"] == 210  # waits 60, 120, 300, 600

    # This month's sessions: today's, and the older ones when their day is in this month too.
    def this_month(days_ago):
        return int((today() - timedelta(days=days_ago)).month == today().month)

    assert figures["top"] == [("李玫瑾", 3 + this_month(2)), ("王敏", 1 + this_month(2) + this_month(6))]
    page = response.content.decode()
    assert page.count('role="img"') == 3
    assert 'id="waiting-now">2<' in page
    assert 'id="median-wait">210 秒<' in page
    assert "李玫瑾" in page and "赵云" not in page
    assert "华东师范大学" in page


@pytest.mark.django_db
def test_system_admin_sees_every_institution(dataset, sysadmin):
    figures = _operator(sysadmin).get(URL).context["figures"]
    assert figures["week"][-1][1] == 12
    assert figures["waiting"] == 3
    assert figures["median_wait"] == 30  # 30 ×5, 60, 120, 300, 600
    assert figures["top"][0] == ("赵云", 5)
    assert dict(figures["hours"])[20] == 5


@pytest.mark.django_db
def test_other_institution_admin_sees_only_its_own(dataset, other_admin):
    response = _operator(other_admin).get(URL)
    figures = response.context["figures"]
    assert figures["waiting"] == 1
    assert figures["top"] == [("赵云", 5)]
    assert "李玫瑾" not in response.content.decode()


@pytest.mark.django_db
def test_empty_day_renders(inst_admin):
    response = _operator(inst_admin).get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["median_wait"] is None
    assert "今日暂无开始的会话" in response.content.decode()


@pytest.mark.django_db
def test_only_operators_open_the_dashboard(ecnu, counselor, sysadmin):
    assert Client().get(URL).status_code == 302  # to the admin's sign-in
    assert _operator(counselor).get(URL).status_code == 403  # staff, but not an administrator
    sysadmin.is_staff = False
    sysadmin.save()
    client = Client()
    client.force_login(sysadmin)
    assert client.get(URL).status_code == 302  # not staff: the admin's sign-in


@pytest.mark.django_db
def test_index_links_the_dashboard(inst_admin, counselor):
    assert URL in _operator(inst_admin).get("/admin/").content.decode()
    assert URL not in _operator(counselor).get("/admin/").content.decode()


@pytest.mark.django_db
def test_alert_panel_counts_open_and_escalated_alerts_of_the_institution(dataset, inst_admin):
    """The OPEN alerts of the admin's institution and the escalated ones among them; a deleted
    session's alert is gone with it (CONTRACT §5), as in GET /conversation/alerts."""
    ecnu_conversations = list(Conversation.objects.filter(counselor=dataset["ecnu"]).order_by("pk")[:3])
    for index, conversation in enumerate(ecnu_conversations):
        Alert.objects.create(
            conversation=conversation,
            counselor=conversation.counselor,
            institution=conversation.institution,
            risk_source="KEYWORD",
            status="OPEN",
            escalated=index == 0,
        )
    Alert.objects.create(
        conversation=dataset["sjtu"][0],
        counselor=dataset["sjtu"][0].counselor,
        institution=dataset["sjtu"][0].institution,
        risk_source="KEYWORD",
        status="OPEN",
    )
    response = _operator(inst_admin).get(URL)
    assert response.context["figures"]["alerts"] == {"open": 3, "escalated": 1}
    assert 'id="alerts-open">3<' in response.content.decode()
    Conversation.objects.filter(pk=ecnu_conversations[0].pk).update(deleted_at=timezone.now())
    assert figures_for(inst_admin)["alerts"] == {"open": 2, "escalated": 0}
