"""The operators' read-only admin pages: each domain renders for a superuser and for an institution
administrator (its institution's rows only), nothing can be added, changed or deleted there, and opening
a transcript message, a case file or an intake profile writes its audit row."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.test import Client

from consultant.models import Archive, IntakeProfile, InterviewRecord, Order
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import SHANGHAI
from messages.models import Message
from scheduling.models import Arrangement, LeavePeriod, WeeklyDuty
from tests.helpers import make_user
from users.adminsite import OperatorReadOnlyAdmin
from users.models import AuditEntry, UserType

PAGES = [
    ("conversations", "conversation"),
    ("evaluations", "evaluation"),
    ("hotline_messages", "message"),
    ("scheduling", "arrangement"),
    ("scheduling", "weeklyduty"),
    ("scheduling", "leaveperiod"),
    ("consultant", "order"),
    ("consultant", "archive"),
    ("consultant", "interviewrecord"),
    ("consultant", "intakeprofile"),
]


def _rows(inst, tag):
    """One row of every domain in `inst`; {model name: row}."""
    counselor = make_user(UserType.COUNSELOR, inst=inst, username=f"c_{tag}", name=f"咨询师{tag}")
    visitor = make_user(UserType.VISITOR, inst=inst, username=f"v_{tag}")
    conversation = Conversation.objects.create(
        user=visitor, counselor=counselor, institution=inst, status="FINISHED"
    )
    order = Order.objects.create(
        consultant=counselor,
        order_id=f"ORD{tag}",
        name=f"来访者{tag}",
        age=20,
        gender="女",
        type="在线咨询",
        date=date(2026, 12, 1),
        time=time(10),
        contact="13800000000",
    )
    archive = Archive.objects.create(consultant=counselor, std_name=f"学生{tag}", follow_up_plan="每周随访")
    start = datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
    return {
        "conversation": conversation,
        "evaluation": Evaluation.objects.create(conversation=conversation, creator=visitor, level=5),
        "message": Message.objects.create(
            msg_key=f"key-{tag}",
            conversation=conversation,
            from_account=visitor.username,
            to_account=counselor.username,
            msg_body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": "我最近睡不着"}}],
        ),
        "arrangement": Arrangement.objects.create(user=counselor, type="COUNSELOR", date=date(2026, 12, 1)),
        "weeklyduty": WeeklyDuty.objects.create(
            user=counselor, type="COUNSELOR", weekday=1, valid_from=date(2026, 12, 1)
        ),
        "leaveperiod": LeavePeriod.objects.create(user=counselor, start=start, end=start + timedelta(days=1)),
        "order": order,
        "archive": archive,
        "interviewrecord": InterviewRecord.objects.create(archive=archive, count=1, description="情绪低落"),
        "intakeprofile": IntakeProfile.objects.create(order=order, data={"history": "无"}),
    }


@pytest.fixture
def rows(ecnu, other_inst):
    return {"ecnu": _rows(ecnu, "ecnu"), "sjtu": _rows(other_inst, "sjtu")}


def _signed_in(user, *, superuser=False):
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _change_url(app, model, obj):
    return f"/admin/{app}/{model}/{obj.pk}/change/"


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), PAGES)
def test_superuser_sees_every_institution(rows, sysadmin, app, model):
    client = _signed_in(sysadmin, superuser=True)
    page = client.get(f"/admin/{app}/{model}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _change_url(app, model, rows["ecnu"][model]) in html
    assert _change_url(app, model, rows["sjtu"][model]) in html
    assert client.get(_change_url(app, model, rows["sjtu"][model])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), PAGES)
def test_institution_admin_sees_its_institution_only(rows, inst_admin, app, model):
    client = _signed_in(inst_admin)
    page = client.get(f"/admin/{app}/{model}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _change_url(app, model, rows["ecnu"][model]) in html
    assert _change_url(app, model, rows["sjtu"][model]) not in html
    assert client.get(_change_url(app, model, rows["ecnu"][model])).status_code == 200
    # Another institution's row: the admin's "does not exist" (a redirect to the index), nothing shown.
    other = client.get(_change_url(app, model, rows["sjtu"][model]))
    assert other.status_code == 302 and other.url == "/admin/"


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), PAGES)
def test_pages_are_read_only(rows, sysadmin, app, model):
    client = _signed_in(sysadmin, superuser=True)
    obj = rows["ecnu"][model]
    assert client.get(f"/admin/{app}/{model}/add/").status_code == 403
    assert client.get(f"/admin/{app}/{model}/{obj.pk}/delete/").status_code == 403
    assert client.post(f"/admin/{app}/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    client.post(_change_url(app, model, obj), {})
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    html = client.get(f"/admin/{app}/{model}/").content.decode()
    assert f"/admin/{app}/{model}/add/" not in html
    assert 'name="action"' not in html  # no bulk actions (delete included)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "action", "object_type", "object_id"),
    [
        ("message", "message.read", "message", lambda r: r["message"].pk),
        ("archive", "archive.read", "archive", lambda r: r["archive"].pk),
        ("interviewrecord", "archive.read", "archive", lambda r: r["archive"].pk),
        ("intakeprofile", "intake.read", "order", lambda r: r["order"].pk),
    ],
)
def test_reading_counselling_content_is_audited(rows, inst_admin, model, action, object_type, object_id):
    app = "hotline_messages" if model == "message" else "consultant"
    client = _signed_in(inst_admin)
    client.get(f"/admin/{app}/{model}/")  # a list shows no content: no row
    assert not AuditEntry.objects.filter(action=action).exists()
    page = client.get(_change_url(app, model, rows["ecnu"][model]))
    assert page.status_code == 200
    entry = AuditEntry.objects.get(action=action)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        inst_admin.pk,
        object_type,
        str(object_id(rows["ecnu"])),
    )
    # A row of another institution: refused, and no row written.
    client.get(_change_url(app, model, rows["sjtu"][model]))
    assert AuditEntry.objects.filter(action=action).count() == 1


@pytest.mark.django_db
def test_message_page_shows_the_text_only_on_the_audited_view(rows, inst_admin):
    client = _signed_in(inst_admin)
    assert "我最近睡不着" not in client.get("/admin/hotline_messages/message/").content.decode()
    assert (
        "我最近睡不着"
        in client.get(_change_url("hotline_messages", "message", rows["ecnu"]["message"])).content.decode()
    )


@pytest.mark.django_db
def test_who_sees_the_pages(rows, ecnu, inst_admin, counselor):
    # A counsellor with admin access (is_staff) is no operator: none of the domain pages.
    client = _signed_in(counselor)
    for app, model in PAGES:
        assert client.get(f"/admin/{app}/{model}/").status_code == 403
    # An institution administrator sees the domains, not the superusers' tables.
    index = _signed_in(inst_admin).get("/admin/").content.decode()
    assert "/admin/conversations/conversation/" in index
    assert "/admin/users/auditentry/" not in index


def test_developer_tables_are_hidden():
    from django.contrib.auth.models import Group
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    from messages.models import CallbackDelivery
    from users.models import LoginAttempt, LoginLock

    for model in (OutstandingToken, BlacklistedToken, Group, CallbackDelivery, LoginAttempt, LoginLock):
        assert not admin.site.is_registered(model)


def test_every_column_header_is_translated():
    """Every list column of every registered page that is a model field, and every field of the read-only
    domain pages, has a Chinese verbose name (third-party tables aside: Procrastinate's job list)."""

    def chinese(text):
        return any("\u4e00" <= char <= "\u9fff" for char in str(text))

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "procrastinate":
            continue
        names = {name for name in model_admin.list_display if isinstance(name, str)}
        if isinstance(model_admin, OperatorReadOnlyAdmin):
            names |= {field.name for field in model._meta.fields if field.editable and not field.auto_created}
        for name in names:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a method column, with its own description, or __str__
                continue
            assert chinese(field.verbose_name), (model._meta.label, name)


@pytest.mark.django_db
def test_a_conversation_page_links_its_messages(rows, inst_admin):
    client = _signed_in(inst_admin)
    conversation = rows["ecnu"]["conversation"]
    page = client.get(_change_url("conversations", "conversation", conversation)).content.decode()
    link = f"/admin/hotline_messages/message/?conversation__id__exact={conversation.pk}"
    assert link in page
    messages = client.get(link)
    assert messages.status_code == 200
    assert _change_url("hotline_messages", "message", rows["ecnu"]["message"]) in messages.content.decode()
    # The same filter on another institution's conversation lists nothing.
    other = rows["sjtu"]["conversation"]
    listed = client.get(
        f"/admin/hotline_messages/message/?conversation__id__exact={other.pk}"
    ).content.decode()
    assert _change_url("hotline_messages", "message", rows["sjtu"]["message"]) not in listed
