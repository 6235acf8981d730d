"""Access control, proven by one table (issue 12).

Every route of the URLconf × every method it maps × every role (× own / other owner / other institution
where an object is involved) → the expected outcome, run by one parametrised test. A route found by
walking the URL resolver without rows here fails `test_every_route_has_rows`.

Outcomes: `OK` is a 200 answer (success envelope, or the file itself); `PASSES_AUTH` is a 400/-2
validation error for rows where a valid request is impractical in a table (a WeChat code, a verification
code): the call got past authentication and role checks; 401, 403 and 404 are the envelope's errors.
A refused request (401/403/404) must change no row of any of the project's tables, and a successful
answer must not show rows the caller may not see (`World.hidden_from`).

`/admin/` (Django's admin, its own session login and staff flag) and the catch-all 404 are not routes of
the API and are left out (docs/decisions.md).

The world (two institutions, every role, conversations, duty rows, orders, archives, templates, files)
is built once for the module inside a transaction; each test runs in a savepoint rolled back after it.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from consultant.models import Archive, InterviewRecord, Order, Template
from consultant.storage import template_path
from conversations.models import Alert, Conversation
from hotline.api.timeutil import today
from messages import files
from quickreplies.models import QuickReply
from scheduling.models import Arrangement
from tests.conftest import TIM_KEY
from tests.consultant.helpers import PNG, TITLES, import_row, order_body, xlsx_bytes
from tests.fakes.tim import FakeTim
from tests.helpers import day_ms, institution, make_user, md5, put_on_duty
from users.models import User, UserType
from users.tokens import token_pair

ANON, VISITOR, PENDING, COUNSELOR, SUPERVISOR, INST_ADMIN, SYSADMIN = (
    "anonymous",
    "visitor",
    "pending",
    "counselor",
    "supervisor",
    "inst_admin",
    "sysadmin",
)
ROLES = (ANON, VISITOR, PENDING, COUNSELOR, SUPERVISOR, INST_ADMIN, SYSADMIN)
BANNED = "banned"  # a counsellor whose tokens were minted before it was banned (test_banned_account)
OWN, OTHER_OWNER, OTHER_INST = "own", "other_owner", "other_inst"
OK, PASSES_AUTH = "OK", "PASSES_AUTH"
EXPECTED_CODES = {401: 401, 403: -5, 404: -4}

W = "/api/consultant/"
PASSWORD = "secret123"
TIM_APPID = "1400000000"
CALLBACK_TOKEN = "test-callback-token"

# Routes that are not part of the API (see the module docstring).
EXCLUDED_PREFIXES = ("admin/",)


# ---- expectations ----------------------------------------------------------------------------------


def everyone(outcome=OK):
    """Public: the same outcome for every caller, anonymous included."""
    return dict.fromkeys(ROLES, outcome)


def roles(refused=403, **allowed):
    """Anonymous → 401; the named roles get their outcome (or a per-target dict); the others `refused`."""
    table = dict.fromkeys(ROLES, refused)
    table[ANON] = 401
    table.update(allowed)
    return table


def signed_in(outcome=OK, **overrides):
    """Every signed-in caller gets `outcome` (unless overridden)."""
    return roles(**{**{role: outcome for role in ROLES if role != ANON}, **overrides})


def workspace(pending=403, **overrides):
    """The workspace: counsellors and supervisors; visitors and administrators 403; a pending account 403
    unless the action is open to it."""
    return roles(**{COUNSELOR: OK, SUPERVISOR: OK, PENDING: pending, **overrides})


NOT_FOUND = 404
OWNER_ONLY = {OWN: OK, OTHER_OWNER: NOT_FOUND, OTHER_INST: NOT_FOUND}
OWN_INSTITUTION = {OWN: OK, OTHER_OWNER: OK, OTHER_INST: NOT_FOUND}
ANY_INSTITUTION = {OWN: OK, OTHER_OWNER: OK, OTHER_INST: OK}
# Users an institution administrator manages: its institution's staff and visitors, never another
# administrator (OTHER_OWNER is a second administrator of the same institution) nor another institution.
MANAGED = {OWN: OK, OTHER_OWNER: NOT_FOUND, OTHER_INST: NOT_FOUND}
INST_ONLY = {OWN: OK, OTHER_INST: NOT_FOUND}
ANY_INST = {OWN: OK, OTHER_INST: OK}


def admins_on_objects(inst_admin=OWN_INSTITUTION, sysadmin=ANY_INSTITUTION):
    return roles(**{INST_ADMIN: inst_admin, SYSADMIN: sysadmin})


# ---- the world ---------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    conversations: dict = field(default_factory=dict)
    duty: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    archives: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)
    alerts: dict = field(default_factory=dict)
    chat_file: str = ""
    avatar_file: str = ""
    quick_replies: dict = field(default_factory=dict)

    def user(self, role):
        return self.users[ROLE_USERS.get(role, "counselor")]

    def token(self, role):
        return self.tokens[ROLE_USERS[role]] if role != ANON else None

    def hidden_from(self, role):
        """Strings of rows the role must never see in an answer: another institution's people and
        records (all but the system administrator), and for those who see only their own, a colleague's
        conversation, orders and case files."""
        if role == SYSADMIN:
            return []
        foreign = [
            self.users[name]
            for name in ("other_admin", "foreign_supervisor", "foreign", "foreign_pending", "foreign_visitor")
        ]
        markers = [value for user in foreign for value in (user.pk, user.username)]
        markers += [
            self.conversations[OTHER_INST].pk,
            "ZTforeign",
            "学生foreign",
            self.templates[OTHER_INST].file_name,
        ]
        # administrators are the level above's to manage: nobody but a system administrator lists them
        markers += [
            value for name in ("inst_admin2", "sysadmin") for value in (self.users[name].pk, f"t_{name}")
        ]
        if role != INST_ADMIN:
            markers += [self.conversations[OTHER_OWNER].pk, "ZTpeer", "学生peer"]
        return markers

    def owner(self, role, target):
        """Whose workspace object a row aims at: the caller's own, a colleague's, another institution's."""
        if target == OTHER_OWNER:
            return "peer"
        if target == OTHER_INST:
            return "foreign"
        return "supervisor" if role == SUPERVISOR else "counselor"


ROLE_USERS = {
    BANNED: "banned",
    VISITOR: "visitor",
    PENDING: "pending",
    COUNSELOR: "counselor",
    SUPERVISOR: "supervisor",
    INST_ADMIN: "inst_admin",
    SYSADMIN: "sysadmin",
}


def build_world():
    w = World()
    ecnu = institution("ecnu", "华东师范大学")
    sjtu = institution("sjtu", "上海交通大学")
    specs = {
        "sysadmin": (UserType.ADMIN, ecnu, {}),
        "inst_admin": (UserType.INSTITUTION, ecnu, {}),
        "inst_admin2": (UserType.INSTITUTION, ecnu, {}),
        "supervisor": (
            UserType.SUPERVISOR,
            ecnu,
            {"email": "sup@example.com", "phone_number": "13900000001"},
        ),
        "counselor": (UserType.COUNSELOR, ecnu, {"email": "c@example.com", "phone_number": "13900000002"}),
        "peer": (UserType.COUNSELOR, ecnu, {"email": "peer@example.com"}),
        "pending": (
            UserType.COUNSELOR,
            ecnu,
            {"approved": False, "email": "p@example.com", "phone_number": "13900000003"},
        ),
        "visitor": (UserType.VISITOR, ecnu, {}),
        "banned": (UserType.COUNSELOR, ecnu, {}),
        "visitor2": (UserType.VISITOR, ecnu, {}),
        "other_admin": (UserType.INSTITUTION, sjtu, {}),
        "foreign_supervisor": (UserType.SUPERVISOR, sjtu, {}),
        "foreign": (UserType.COUNSELOR, sjtu, {"email": "f@example.com"}),
        "foreign_pending": (UserType.COUNSELOR, sjtu, {"approved": False}),
        "foreign_visitor": (UserType.VISITOR, sjtu, {}),
        "idle_visitor": (UserType.VISITOR, ecnu, {}),  # no conversation: an erasure may proceed
        "foreign_idle": (UserType.VISITOR, sjtu, {}),
    }
    for name, (user_type, inst, extra) in specs.items():
        w.users[name] = make_user(
            user_type, inst=inst, username=f"t_{name}", name=f"表{name}", password=PASSWORD, **extra
        )
        w.tokens[name] = token_pair(w.users[name])["access"]
    u = w.users
    User.objects.filter(pk=u["banned"].pk).update(enabled=False)
    u["counselor"].supervisors.add(u["supervisor"])
    put_on_duty(u["counselor"], u["peer"], u["foreign"])
    for name in ("peer", "foreign"):
        w.duty[name] = Arrangement.objects.get(user=u[name], date=today())
    started = timezone.now() - timedelta(minutes=5)
    for target, (visitor, counselor) in {
        OWN: ("visitor", "counselor"),
        OTHER_OWNER: ("visitor2", "peer"),
        OTHER_INST: ("foreign_visitor", "foreign"),
    }.items():
        w.conversations[target] = Conversation.objects.create(
            status="IN_PROGRESS",
            user=u[visitor],
            counselor=u[counselor],
            institution=u[counselor].institution,
            start_time=started,
        )
    for target, conversation in w.conversations.items():
        w.alerts[target] = Alert.objects.create(
            conversation=conversation,
            counselor=conversation.counselor,
            institution=conversation.institution,
            risk_source="STAFF",
        )
    for owner in ("counselor", "supervisor", "peer", "foreign"):
        for status in ("待接单", "等待中", "咨询中"):
            w.orders[owner, status] = Order.objects.create(
                consultant=u[owner],
                order_id=f"ZT{owner}{len(w.orders)}",
                name="张三",
                age=20,
                gender="男",
                type="在线咨询",
                key_word=[],
                date=today(),
                time="09:00",
                contact="13800000000",
                status=status,
            )
        archive = Archive.objects.create(consultant=u[owner], std_name=f"学生{owner}")
        w.archives[owner] = archive
        w.records[owner] = InterviewRecord.objects.create(archive=archive, count=1, name="学生")
    for key, inst in ((OWN, ecnu), (OTHER_INST, sjtu)):
        stored = f"table-{key}.xlsx"
        default_storage.save(template_path(inst.pk, stored), ContentFile(xlsx_bytes([["a"]])))
        w.templates[key] = Template.objects.create(
            institution=inst, file_name=f"{key}模板.xlsx", stored_name=stored, size=10
        )
    for owner in ("counselor", "supervisor", "peer", "pending", "visitor", "inst_admin", "sysadmin"):
        w.quick_replies[owner] = QuickReply.objects.create(scope="PERSONAL", content="个人", owner=u[owner])
    for inst in (ecnu, sjtu):
        w.quick_replies[inst.code] = QuickReply.objects.create(
            scope="INSTITUTION", content="共享", shared_institution=inst
        )
    w.chat_file = files.file_store(owner=u["visitor"], upload=png("chat.png"))
    w.avatar_file = files.file_store(
        owner=u["counselor"], upload=png("avatar.png"), kinds=files.IMAGE_KINDS, public=True
    )
    return w


def png(name="a.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    fake = FakeTim(TIM_KEY, int(TIM_APPID)).start()
    overrides = override_settings(
        TIM_SDKAPPID=TIM_APPID,
        TIM_SECRET_KEY=TIM_KEY,
        TIM_API_BASE=fake.base_url,
        TIM_CALLBACK_TOKEN=CALLBACK_TOKEN,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("access-table-media")),
    )
    overrides.enable()
    try:
        # one transaction around the module; pytest-django's `db` puts each test in a savepoint inside it
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        overrides.disable()
        fake.stop()


# ---- requests ---------------------------------------------------------------------------------------


@dataclass
class Req:
    path: str
    data: object = None
    format: str = "json"
    bearer: bool = True  # the hotline reads the Authorization header; the workspace the body's token


def ws(w, role, route, fmt="json", **fields):
    """A workspace call as seed 001 sends it: userID and token in the body (none for anonymous)."""
    body = {} if role == ANON else {"userID": w.user(role).pk, "token": w.token(role)}
    body.update(fields)
    return Req(W + route, body, format=fmt, bearer=False)


def signed_callback():
    now = str(int(time.time()))
    sign = hashlib.sha256(f"{CALLBACK_TOKEN}{now}".encode()).hexdigest()
    query = (
        f"SdkAppid={TIM_APPID}&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json"
        f"&ClientIP=127.0.0.1&OptPlatform=RESTAPI&Sign={sign}&RequestTime={now}"
    )
    return Req(f"/message/callback?{query}", {"CallbackCommand": "C2C.CallbackBeforeSendMsg"})


def staff_body(w, username, **extra):
    return {
        "username": username,
        "password": md5("newpass123"),
        "name": "新同事",
        "phoneNumber": "13912345678",
        "idNumber": "11010519491231002X",
        **extra,
    }


def xlsx_upload(rows, name="f.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def profile_body(w, role):
    user = w.user(role)
    return {
        "profile": {
            "username": user.username,
            "name": "新名字",
            "phone": user.phone_number or "",
            "email": user.email or "",
            "organization": user.institution.name,
            "introduction": "",
            "experience": "",
            "expertise": "",
            "education": "",
            "certifications": "",
        }
    }


def conv(w, target):
    return w.conversations[target or OWN]


def managed_user(w, target):
    return w.users[{OWN: "peer", OTHER_OWNER: "inst_admin2", OTHER_INST: "foreign"}[target or OWN]]


def approval_target(w, target):
    """A pending account of the institution, a visitor (no staff: nothing to approve), another
    institution's pending account."""
    return w.users[{OWN: "pending", OTHER_OWNER: "visitor2", OTHER_INST: "foreign_pending"}[target or OWN]]


def staff_user(kind, w, target):
    if target == OTHER_OWNER:  # a user of the institution that is no staff member: an administrator
        return w.users["inst_admin2"]
    if kind == "supervisor":
        return w.users["supervisor" if target in (None, OWN) else "foreign_supervisor"]
    return w.users["peer" if target in (None, OWN) else "foreign"]


def quick_reply(w, role, target):
    """OWN: the caller's personal reply (an administrator's: its institution's shared one); OTHER_OWNER: a
    colleague's personal reply; OTHER_INST: another institution's shared reply."""
    if target == OTHER_OWNER:
        return w.quick_replies["peer"]
    if target == OTHER_INST:
        return w.quick_replies["sjtu"]
    if role in (INST_ADMIN, SYSADMIN):
        return w.quick_replies["ecnu"]
    return w.quick_replies.get(ROLE_USERS.get(role), w.quick_replies["counselor"])


def order(w, role, target, status):
    return w.orders[w.owner(role, target), status]


# ---- the table --------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    route: str
    method: str
    build: object  # (world, role, target) -> Req
    expect: dict


def E(route, method, expect, build):
    return Endpoint(route, method, build, expect)


# Staff routes reach supervisors (or counsellors) of the administrator's institution; OTHER_OWNER is an
# administrator of the same institution named on them: 404 to both administrators (not of that kind).
STAFF_I = {OWN: OK, OTHER_OWNER: NOT_FOUND, OTHER_INST: NOT_FOUND}
STAFF_Y = {OWN: OK, OTHER_OWNER: NOT_FOUND, OTHER_INST: OK}


def staff_routes(kind):
    base = f"user/ms/{kind}"
    return [
        E(
            base,
            "PUT",
            roles(inst_admin=OK, sysadmin=OK),
            lambda w, r, t: Req(f"/{base}", staff_body(w, f"new_{kind}")),
        ),
        E(
            base,
            "POST",
            admins_on_objects(STAFF_I, STAFF_Y),
            lambda w, r, t: Req(f"/{base}", {"username": staff_user(kind, w, t).username, "name": "改名"}),
        ),
        E(f"{base}/list", "GET", roles(inst_admin=OK, sysadmin=OK), lambda w, r, t: Req(f"/{base}/list")),
        E(
            f"{base}/<username:username>",
            "POST",
            admins_on_objects(STAFF_I, STAFF_Y),
            lambda w, r, t: Req(f"/{base}/{staff_user(kind, w, t).pk}", {"name": "改名"}),
        ),
        E(
            f"{base}/<username:username>",
            "DELETE",
            admins_on_objects(STAFF_I, STAFF_Y),
            lambda w, r, t: Req(f"/{base}/{staff_user(kind, w, t).username}"),
        ),
    ]


HOTLINE = [
    E("health", "GET", everyone(), lambda w, r, t: Req("/health")),
    E("api/schema", "GET", everyone(), lambda w, r, t: Req("/api/schema")),
    E("api/docs", "GET", everyone(), lambda w, r, t: Req("/api/docs")),
    E("config", "GET", everyone(), lambda w, r, t: Req("/config")),
    # ---- care: consent and quick replies (CONTRACT §10) ----
    E("consent", "GET", roles(visitor=OK), lambda w, r, t: Req("/consent")),
    E("consent", "PUT", roles(visitor=OK), lambda w, r, t: Req("/consent", {"version": 1})),
    E(
        "quickreply",
        "GET",
        roles(counselor=OK, supervisor=OK, inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/quickreply"),
    ),
    E(
        "quickreply",
        "PUT",
        roles(counselor=OK, supervisor=OK, inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/quickreply", {"content": "您好，我在。"}),
    ),
    *[
        E(
            "quickreply/<hexid:reply_id>",
            method,
            roles(
                counselor=OWNER_ONLY,
                supervisor=OWNER_ONLY,
                inst_admin=OWNER_ONLY,
                sysadmin={OWN: OK, OTHER_OWNER: NOT_FOUND, OTHER_INST: OK},
            ),
            lambda w, r, t, m=method: Req(
                f"/quickreply/{quick_reply(w, r, t).pk}", {"content": "改过的回复"} if m == "POST" else None
            ),
        )
        for method in ("POST", "DELETE")
    ],
    # ---- users ----
    E(
        "auth/login",
        "POST",
        everyone(),
        lambda w, r, t: Req("/auth/login", {"username": "t_counselor", "password": md5(PASSWORD)}),
    ),
    E(
        "auth/refresh",
        "POST",
        everyone(),
        lambda w, r, t: Req("/auth/refresh", {"refresh": token_pair(w.users["counselor"])["refresh"]}),
    ),
    E("logout", "POST", everyone(), lambda w, r, t: Req("/logout", {})),
    # a valid WeChat login needs WeChat's code: an unknown appid shows the call got past authentication
    E(
        "auth/wx/<username:appid>/login",
        "POST",
        everyone(PASSES_AUTH),
        lambda w, r, t: Req("/auth/wx/wxunknownapp0001/login?code=abc", {}),
    ),
    E("auth/me", "GET", signed_in(), lambda w, r, t: Req("/auth/me")),
    E(
        "wx/user/<username:appid>/phone",
        "POST",
        signed_in(PASSES_AUTH),
        lambda w, r, t: Req("/wx/user/wxunknownapp0001/phone", {"code": "abc"}),
    ),
    E(
        "user/password",
        "POST",
        signed_in(),
        lambda w, r, t: Req("/user/password", {"oldPassword": md5(PASSWORD), "password": md5("newpass123")}),
    ),
    E("user/update", "POST", roles(visitor=OK), lambda w, r, t: Req("/user/update", {"name": "新访客名"})),
    E(
        "user/maxconsults",
        "POST",
        roles(counselor=OK, pending=OK),
        lambda w, r, t: Req("/user/maxconsults", {"maxConsults": 3}),
    ),
    E(
        "user/ms",
        "PUT",
        roles(inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req(
            "/user/ms", {"username": "new_backend", "password": md5("newpass123"), "role": "ROLE_COUNSELOR"}
        ),
    ),
    E("user/list", "GET", roles(inst_admin=OK, sysadmin=OK), lambda w, r, t: Req("/user/list")),
    E(
        "user/ban/<hexid:user_id>",
        "POST",
        admins_on_objects(MANAGED, ANY_INSTITUTION),
        lambda w, r, t: Req(f"/user/ban/{managed_user(w, t).pk}"),
    ),
    # Erasure: an idle visitor of the institution; OTHER_OWNER is a counsellor (not a visitor): 404.
    E(
        "user/erase/<hexid:user_id>",
        "POST",
        admins_on_objects(MANAGED, STAFF_Y),
        lambda w, r, t: Req(
            "/user/erase/"
            + w.users[{OWN: "idle_visitor", OTHER_OWNER: "peer", OTHER_INST: "foreign_idle"}[t or OWN]].pk
        ),
    ),
    E(
        "user/active/<hexid:user_id>",
        "POST",
        admins_on_objects(MANAGED, ANY_INSTITUTION),
        lambda w, r, t: Req(f"/user/active/{managed_user(w, t).pk}"),
    ),
    E(
        "user/approve/<hexid:user_id>",
        "PUT",
        admins_on_objects(STAFF_I, STAFF_Y),
        lambda w, r, t: Req(f"/user/approve/{approval_target(w, t).pk}"),
    ),
    E(
        "user/approve/<hexid:user_id>",
        "POST",
        admins_on_objects(STAFF_I, STAFF_Y),
        lambda w, r, t: Req(
            f"/user/approve/{approval_target(w, t).pk}",
            {"approved": True},
        ),
    ),
    *staff_routes("supervisor"),
    *staff_routes("counselor"),
    # ---- duty ----
    E(
        "arrange",
        "PUT",
        admins_on_objects(INST_ONLY, ANY_INST),
        lambda w, r, t: Req(
            "/arrange",
            {
                "timestamp": day_ms(today() + timedelta(days=1)),
                "users": [w.users["peer" if t in (None, OWN) else "foreign"].pk],
                "type": "COUNSELOR",
            },
        ),
    ),
    E(
        "arrange/batch",
        "POST",
        admins_on_objects(INST_ONLY, ANY_INST),
        lambda w, r, t: Req(
            "/arrange/batch",
            {
                "user": w.users["peer" if t in (None, OWN) else "foreign"].pk,
                "weekDays": [1, 3],
                "userType": "COUNSELOR",
            },
        ),
    ),
    E(
        "arrange/theday",
        "GET",
        signed_in(),
        lambda w, r, t: Req("/arrange/theday", {"timestamp": day_ms(today()), "type": "COUNSELOR"}),
    ),
    E(
        "arrange/<hexid:arrangement_id>",
        "DELETE",
        admins_on_objects(INST_ONLY, ANY_INST),
        lambda w, r, t: Req(f"/arrange/{w.duty['peer' if t in (None, OWN) else 'foreign'].pk}"),
    ),
    # ---- conversations ----
    E(
        "conversation",
        "PUT",
        roles(visitor=INST_ONLY),
        lambda w, r, t: Req(
            "/conversation", {"counselor": w.users["counselor" if t in (None, OWN) else "foreign"].pk}
        ),
    ),
    E(
        "conversation/end/<hexid:conversation_id>",
        "POST",
        roles(
            visitor=OWNER_ONLY,
            counselor=OWNER_ONLY,
            # a supervisor sees its supervisee's session but is no party to it (docs/decisions.md)
            supervisor={OWN: 403, OTHER_OWNER: NOT_FOUND, OTHER_INST: NOT_FOUND},
            inst_admin=OWN_INSTITUTION,
            sysadmin=ANY_INSTITUTION,
        ),
        lambda w, r, t: Req(f"/conversation/end/{conv(w, t).pk}"),
    ),
    E(
        "conversation/supervise",
        "PUT",
        roles(counselor=OWNER_ONLY),
        lambda w, r, t: Req(
            f"/conversation/supervise?supervise={w.users['supervisor'].pk}&conversationId={conv(w, t).pk}"
        ),
    ),
    E(
        "conversation/consultlist",
        "GET",
        roles(counselor=OK, supervisor=OK, inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/conversation/consultlist"),
    ),
    E("conversation/current", "GET", roles(visitor=OK), lambda w, r, t: Req("/conversation/current")),
    *[
        E(
            f"conversation/{name}",
            "GET",
            roles(inst_admin=OK, sysadmin=OK),
            lambda w, r, t, n=name: Req(f"/conversation/{n}"),
        )
        for name in ("7statistics", "todaychange", "numberranking", "ratedranking")
    ],
    E(
        "conversation/<hexid:conversation_id>",
        "DELETE",
        admins_on_objects(),
        lambda w, r, t: Req(f"/conversation/{conv(w, t).pk}"),
    ),
    # ---- care of the people served (CONTRACT §10) ----
    E(
        "conversation/<hexid:conversation_id>/risk",
        "POST",
        roles(
            counselor=OWNER_ONLY,
            supervisor=OWNER_ONLY,  # OWN is its supervisee's session
            inst_admin=OWN_INSTITUTION,
            sysadmin=ANY_INSTITUTION,
        ),
        lambda w, r, t: Req(f"/conversation/{conv(w, t).pk}/risk", {"level": "HIGH", "note": "表格"}),
    ),
    E(
        "conversation/<hexid:conversation_id>/transfer",
        "POST",
        roles(
            counselor=OWNER_ONLY,
            supervisor=OWNER_ONLY,
            inst_admin=OWN_INSTITUTION,
            # sjtu has no second counsellor on duty: past every access check, refused as input
            sysadmin={OWN: OK, OTHER_OWNER: OK, OTHER_INST: PASSES_AUTH},
        ),
        lambda w, r, t: Req(
            f"/conversation/{conv(w, t).pk}/transfer",
            {
                "counselor": w.users[
                    {OWN: "peer", OTHER_OWNER: "counselor", OTHER_INST: "foreign"}[t or OWN]
                ].pk
            },
        ),
    ),
    E(
        "conversation/alerts",
        "GET",
        roles(supervisor=OK, inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/conversation/alerts"),
    ),
    E(
        "conversation/alerts/<hexid:alert_id>/ack",
        "POST",
        roles(
            refused=NOT_FOUND,
            pending=403,
            supervisor=OWNER_ONLY,
            inst_admin=OWN_INSTITUTION,
            sysadmin=ANY_INSTITUTION,
        ),
        lambda w, r, t: Req(f"/conversation/alerts/{w.alerts[t or OWN].pk}/ack"),
    ),
    E(
        "conversation/live",
        "GET",
        roles(supervisor=OK, inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/conversation/live"),
    ),
    E(
        "conversation/waitstatistics",
        "GET",
        roles(inst_admin=OK, sysadmin=OK),
        lambda w, r, t: Req("/conversation/waitstatistics"),
    ),
    # ---- evaluations ----
    E(
        "evaluate",
        "PUT",
        roles(visitor=OWNER_ONLY),
        lambda w, r, t: Req(
            "/evaluate", {"conversationId": conv(w, t).pk, "objectType": "CONVERSATION", "level": 5}
        ),
    ),
    # ---- messages and files ----
    # no UserSig for an account pending approval (CONTRACT §11: a withdrawal stops /im/sign)
    E("im/sign", "POST", signed_in(pending=403), lambda w, r, t: Req("/im/sign", {})),
    E("message/callback", "POST", everyone(), lambda w, r, t: signed_callback()),
    E(
        "message/conversation/web",
        "GET",
        roles(
            visitor=OWNER_ONLY,
            counselor=OWNER_ONLY,
            supervisor=OWNER_ONLY,  # OWN is its supervisee's session
            inst_admin=OWN_INSTITUTION,
            sysadmin=ANY_INSTITUTION,
        ),
        lambda w, r, t: Req("/message/conversation/web", {"conversationId": conv(w, t).pk}),
    ),
    *[
        E(
            "conversation/export/<hexid:conversation_id>",
            method,
            admins_on_objects(),
            lambda w, r, t: Req(f"/conversation/export/{conv(w, t).pk}"),
        )
        for method in ("GET", "POST")
    ],
    E(
        "conversation/batchexport",
        "POST",
        admins_on_objects(),
        # one visible id does not carry a foreign one through
        lambda w, r, t: Req("/conversation/batchexport", [conv(w, OWN).pk, conv(w, t).pk]),
    ),
    E(
        "file/upload",
        "POST",
        signed_in(),
        lambda w, r, t: Req("/file/upload", {"file": png()}, format="multipart"),
    ),
    # A chat file not yet sent in any message: its uploader and system administrators; everyone else
    # signed in 404 (tests/messages/test_file_rights.py covers linked files); avatars are public (row `avatar`).
    E(
        "file/download",
        "GET",
        roles(refused=NOT_FOUND, visitor=OK, sysadmin=OK),
        lambda w, r, t: Req("/file/download", {"fileName": w.chat_file}),
    ),
]


WORKSPACE = [
    # ---- sign-in (public) ----
    E(
        "api/consultant/auth/login",
        "POST",
        everyone(),
        lambda w, r, t: Req(
            W + "auth/login",
            {
                "loginType": "password",
                "accountType": "email",
                "account": "c@example.com",
                "credential": PASSWORD,
            },
            bearer=False,
        ),
    ),
    # registration and password reset need an emailed code: a wrong one is a 400 past authentication
    E(
        "api/consultant/auth/register",
        "POST",
        everyone(PASSES_AUTH),
        lambda w, r, t: Req(
            W + "auth/register",
            {
                "userName": "t_newcomer",
                "accountType": "email",
                "account": "newcomer@example.com",
                "password": "Passw0rd!x",
                "verificationCode": "000000",
            },
            bearer=False,
        ),
    ),
    E(
        "api/consultant/auth/email",
        "POST",
        everyone(),
        lambda w, r, t: Req(W + "auth/email", {"email": "someone@example.com"}, bearer=False),
    ),
    *[
        E(
            route,
            "POST",
            everyone(),
            lambda w, r, t, route=route: Req(f"/{route}", {"phone": "13700000009"}, bearer=False),
        )
        for route in ("api/consult/auth/phone", "api/consultant/auth/phone")
    ],
    E(
        "api/consultant/auth/reset-password",
        "POST",
        everyone(PASSES_AUTH),
        lambda w, r, t: Req(
            W + "auth/reset-password",
            {
                "accountType": "email",
                "account": "c@example.com",
                "verificationCode": "000000",
                "newPassword": "Passw0rd!x",
            },
            bearer=False,
        ),
    ),
    # ---- the account ----
    E(
        "api/consultant/auth/deactivate",
        "POST",
        workspace(pending=PASSES_AUTH, counselor=PASSES_AUTH, supervisor=PASSES_AUTH),
        lambda w, r, t: ws(
            w, r, "auth/deactivate", accountType="email", account="c@example.com", verificationCode="000000"
        ),
    ),
    *[
        E(
            f"api/consultant/dashboard/{name}",
            "POST",
            workspace(),
            lambda w, r, t, n=name: ws(w, r, f"dashboard/{n}"),
        )
        for name in (
            "today-transactions",
            "category-data",
            "yearly-consultations",
            "time-slot-data",
            "gender-data",
            "age-data",
        )
    ],
    # ---- orders ----
    E("api/consultant/orders", "POST", workspace(), lambda w, r, t: ws(w, r, "orders")),
    E(
        "api/consultant/orders/create",
        "POST",
        workspace(),
        lambda w, r, t: ws(w, r, "orders/create", **order_body()),
    ),
    *[
        E(
            f"api/consultant/orders/{action}",
            "POST",
            workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
            lambda w, r, t, a=action, s=status: ws(w, r, f"orders/{a}", id=order(w, r, t, s).pk),
        )
        for action, status in (
            ("accept", "待接单"),
            ("reject", "待接单"),
            ("start", "等待中"),
            ("finish", "咨询中"),
        )
    ],
    E(
        "api/consultant/interview/records/personal-profile",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(w, r, "interview/records/personal-profile", id=order(w, r, t, "待接单").pk),
    ),
    E(
        "api/consultant/interview/records/personal-profile/update",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(
            w,
            r,
            "interview/records/personal-profile/update",
            id=order(w, r, t, "待接单").pk,
            profile={"name": "张三"},
        ),
    ),
    # ---- personal centre ----
    E("api/consultant/user/profile", "POST", workspace(pending=OK), lambda w, r, t: ws(w, r, "user/profile")),
    E(
        "api/consultant/user/updateProfile",
        "POST",
        workspace(pending=OK),
        lambda w, r, t: ws(w, r, "user/updateProfile", **profile_body(w, r)),
    ),
    E(
        "api/consultant/updateAvatar",
        "POST",
        workspace(pending=OK),
        lambda w, r, t: ws(w, r, "updateAvatar", fmt="multipart", avatar=png()),
    ),
    *[
        E(
            route,
            "POST",
            workspace(),
            lambda w, r, t, route=route: Req(f"/{route}", ws(w, r, "").data, bearer=False),
        )
        for route in ("api/consuntant/user/comments", "api/consultant/user/comments")
    ],
    # ---- case files ----
    E("api/consultant/interview/records", "POST", workspace(), lambda w, r, t: ws(w, r, "interview/records")),
    *[
        E(
            route,
            "POST",
            workspace(),
            lambda w, r, t, route=route: Req(
                f"/{route}", {**ws(w, r, "").data, "std_name": "新学生"}, bearer=False
            ),
        )
        for route in ("api/consuntant/interview/records/create", "api/consultant/interview/records/create")
    ],
    E(
        "api/consultant/interview/records/delete",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(w, r, "interview/records/delete", id=w.archives[w.owner(r, t)].pk),
    ),
    E(
        "api/consultant/interview/records/profile",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(w, r, "interview/records/profile", id=w.archives[w.owner(r, t)].pk),
    ),
    E(
        "api/consultant/interview/records/profile/create",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(
            w, r, "interview/records/profile/create", id=w.archives[w.owner(r, t)].pk, name="学生"
        ),
    ),
    E(
        "api/consultant/interview/records/profile/update",
        "POST",
        workspace(counselor=OWNER_ONLY, supervisor=OWNER_ONLY),
        lambda w, r, t: ws(
            w, r, "interview/records/profile/update", id=w.records[w.owner(r, t)].pk, description="更新"
        ),
    ),
    E(
        "api/consultant/interview/upload/records",
        "POST",
        workspace(),
        lambda w, r, t: ws(
            w,
            r,
            "interview/upload/records",
            fmt="multipart",
            files=xlsx_upload([TITLES, import_row("赵六", "2026-10-01")]),
        ),
    ),
    # ---- templates: counsellors read the institution's, supervisors also replace them ----
    E(
        "api/consultant/interview/upload/template",
        "POST",
        workspace(counselor=403),
        lambda w, r, t: ws(
            w, r, "interview/upload/template", fmt="multipart", files=xlsx_upload([["x"]], "新模板.xlsx")
        ),
    ),
    E(
        "api/consultant/interview/template/list",
        "POST",
        workspace(),
        lambda w, r, t: ws(w, r, "interview/template/list"),
    ),
    E(
        "api/consultant/interview/download",
        "POST",
        workspace(counselor=INST_ONLY, supervisor=INST_ONLY),
        lambda w, r, t: ws(w, r, "interview/download", fileNames=[w.templates[t or OWN].file_name]),
    ),
    # ---- schedule: a pending account plans its own slots and leave ----
    E(
        "api/consultant/schedule/work",
        "POST",
        workspace(),
        lambda w, r, t: ws(w, r, "schedule/work", year=today().year, month=today().month),
    ),
    E(
        "api/consultant/schedule/work/update",
        "POST",
        workspace(pending=OK),
        lambda w, r, t: ws(
            w,
            r,
            "schedule/work/update",
            year=today().year,
            month=today().month,
            date=today().day,
            work_schedules=["09:00-10:00"],
        ),
    ),
    E(
        "api/consultant/schedule/upload",
        "POST",
        workspace(),
        lambda w, r, t: ws(
            w,
            r,
            "schedule/upload",
            fmt="multipart",
            files=xlsx_upload(
                [["日期", "用户名", "时间段"], [today().isoformat(), w.user(r).username, "09:00-10:00"]]
            ),
        ),
    ),
    E(
        "api/consultant/schedule/stop",
        "POST",
        workspace(pending=OK),
        lambda w, r, t: ws(w, r, "schedule/stop"),
    ),
    E(
        "api/consultant/schedule/stop/update",
        "POST",
        workspace(pending=OK),
        lambda w, r, t: ws(
            w,
            r,
            "schedule/stop/update",
            stop_schedules=[{"start_time": "2026-12-10 09:00:00", "end_time": "2026-12-12 18:00:00"}],
        ),
    ),
]

TABLE = HOTLINE + WORKSPACE


def rows():
    for endpoint in TABLE:
        for role, expected in endpoint.expect.items():
            targets = expected.items() if isinstance(expected, dict) else [(None, expected)]
            for target, outcome in targets:
                label = f"{endpoint.method} /{endpoint.route} {role}" + (f" {target}" if target else "")
                yield pytest.param(endpoint, role, target, outcome, id=label)


# ---- running a row ----------------------------------------------------------------------------------


PROJECT_APPS = (
    "users",
    "scheduling",
    "conversations",
    "evaluations",
    "hotline_messages",
    "consultant",
    "quickreplies",
)


def _fingerprint_sql():
    tables = sorted(
        model._meta.db_table
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )
    return " UNION ALL ".join(
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f'FROM "{table}" t'
        for table in tables
    )


def database_state():
    """Every row of every project table, as one digest per table (one query): a refused request must
    leave all of them as they were."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def send(w, role, method, req):
    client = APIClient()
    if req.bearer and role != ANON:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {w.token(role)}")
    if method == "GET":
        return client.get(req.path, req.data or {})
    if method == "DELETE":
        return client.delete(req.path)
    return getattr(client, method.lower())(req.path, req.data, format=req.format)


def body_of(response):
    if response.get("Content-Type", "").startswith("application/json"):
        return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    return None


@pytest.mark.parametrize("endpoint,role,target,outcome", list(rows()))
def test_access(world, db, endpoint, role, target, outcome):
    request = endpoint.build(world, role, target)
    refused = outcome in EXPECTED_CODES
    before = database_state() if refused else None
    response = send(world, role, endpoint.method, request)
    body = body_of(response)
    seen = (response.status_code, body)
    if outcome == OK:
        assert response.status_code == 200, seen
        if body is not None and "code" in body:
            assert body["code"] == 0, seen
        elif body is not None and "ActionStatus" in body:
            assert body["ActionStatus"] == "OK", seen
        if body is not None:
            text = json.dumps(body, ensure_ascii=False)
            leaked = [marker for marker in world.hidden_from(role) if marker in text]
            assert leaked == [], (leaked, seen)
    elif outcome == PASSES_AUTH:
        assert response.status_code == 400 and body["code"] == -2, seen
    else:
        assert response.status_code == outcome and body["code"] == EXPECTED_CODES[outcome], seen
        assert database_state() == before if before is not None else True


@pytest.mark.parametrize(
    "endpoint",
    [endpoint for endpoint in TABLE if endpoint.expect[ANON] == 401],
    ids=lambda endpoint: f"{endpoint.method} /{endpoint.route}",
)
def test_banned_account_is_refused_everywhere(world, db, endpoint):
    """CONTRACT §3: a banned user's tokens stop working on the next request, on every route that needs
    one, and nothing changes."""
    before = database_state()
    response = send(world, BANNED, endpoint.method, endpoint.build(world, BANNED, None))
    body = body_of(response)
    assert response.status_code == 401 and body["code"] == 401, (response.status_code, body)
    assert database_state() == before


@pytest.mark.parametrize(
    "role,outcome",
    [(role, OK) for role in ROLES],
    ids=[f"GET /file/download avatar {role}" for role in ROLES],
)
def test_avatars_are_public(world, db, role, outcome):
    response = send(world, role, "GET", Req("/file/download", {"fileName": world.avatar_file}))
    assert response.status_code == 200


# ---- coverage: every route of the resolver has rows -------------------------------------------------


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def _methods(callback):
    # HEAD is GET without a body (DRF adds it to a ViewSet's map after the first GET); OPTIONS is
    # answered by the framework for every route
    if hasattr(callback, "actions"):  # a ViewSet bound method by method
        return {method.upper() for method in callback.actions if method not in ("options", "head")}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return set()
    return {
        method.upper()
        for method in view_class.http_method_names
        if method not in ("options", "head") and hasattr(view_class, method)
    }


def resolver_routes():
    found = set()
    for route, callback in _routes():
        if route.startswith(EXCLUDED_PREFIXES) or route == "^.*$":
            continue
        for method in _methods(callback):
            found.add((route.rstrip("/"), method))
    return found


def test_every_route_has_rows():
    routes = resolver_routes()
    assert len(routes) > 90, routes  # the walk found the URLconf
    tabled = {(endpoint.route, endpoint.method) for endpoint in TABLE}
    assert routes - tabled == set(), "routes without rows in the access table"
    assert tabled - routes == set(), "rows for routes that do not exist"


def test_every_row_names_every_role():
    for endpoint in TABLE:
        assert set(endpoint.expect) == set(ROLES), endpoint.route
