"""Load the bench dataset into an empty, migrated database with COPY (run by bench/run.py).

Institution `bench` (the one measured): 1 system administrator, 1 institution administrator,
20 supervisors and 200 counsellors on duty today, 50 000 visitors, 100 000 conversations over two
years (mostly FINISHED, a few TIME_OUT, a few IN_PROGRESS/WAITING today within capacity), evaluations
on 60 % of the closed ones, 1 000 000 messages shaped as the IM callback stores them, one conversation
holding 10 000 of them. Counsellors 0–19 ("burst counsellors") and the last 201 visitors ("burst
visitors" and one spare) have no open conversation, for the 200-visitor burst.

Institution `bench-small`: 20 counsellors, 5 000 visitors, 10 000 conversations, for the cost-growth
check (the same list at a tenth of the size).

Writes bench/work/dataset.json with the ids the load needs. Deterministic (fixed random seed).
"""

import datetime as dt
import io
import json
import os
import random
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import AutoField, BigAutoField  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import WORK_DIR  # noqa: E402
from bench.views import WRITE_TABLE  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from evaluations.models import Evaluation  # noqa: E402
from hotline.crypto import EncryptedMixin, HashField, blind_index  # noqa: E402
from messages.models import Message  # noqa: E402
from scheduling.models import Arrangement, Presence  # noqa: E402
from users.models import Institution, User  # noqa: E402

N_COUNSELORS = 200
N_SUPERVISORS = 20
N_VISITORS = 50_000
# BENCH_SCALE (default 1) shrinks conversations and messages, only to try the harness quickly.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_CONVERSATIONS = int(100_000 * SCALE)
N_MESSAGES = max(int(1_000_000 * SCALE), 20_000)
BIG_CONVERSATION_MESSAGES = 10_000
N_BURST_COUNSELORS = 20
N_BURST_VISITORS = 200
SMALL_COUNSELORS = 20
SMALL_VISITORS = 5_000
SMALL_CONVERSATIONS = int(10_000 * SCALE)
EVALUATED_SHARE = 0.6
CHUNK = 50_000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩然子涵欣怡梓轩思雨雪梅建国晓东"
PHRASES = [
    "老师您好，我最近睡眠不太好",
    "能具体说说是什么时候开始的吗？",
    "大概从期中考试前开始，总是很焦虑",
    "这种感受很常见，我们一起来看看",
    "谢谢老师，我感觉好一些了",
    "你愿意多讲一些和室友的相处吗？",
    "嗯，我试试看",
    "我们下周同一时间再聊好吗？",
]

rng = random.Random(20260513)


def hexid():
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def chinese_name():
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label, total):
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def add(self, count):
        self.done += count
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"\r  {self.label:<14} [{bar:<30}] {self.done:>9,}/{self.total:,} {elapsed:6.1f}s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(model, rows, progress=None):
    """COPY dicts keyed by attname into the model's table; missing fields take the model's default."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (isinstance(field, AutoField | BigAutoField) and field.primary_key)
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    buffer = io.StringIO()
    pending = 0

    def flush():
        nonlocal buffer, pending
        if not pending:
            return
        buffer.seek(0)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy"):  # psycopg 3 (Django's driver here since the job queue)
                with raw.copy(sql) as copy:
                    copy.write(buffer.getvalue())
            else:  # psycopg2
                raw.copy_expert(sql, buffer)
        if progress:
            progress.add(pending)
        buffer, pending = io.StringIO(), 0

    for row in rows:
        values = []
        for field in fields:
            if field.attname in row:
                value = row[field.attname]
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = field.get_default()
            if isinstance(field, EncryptedMixin):  # stored as the field stores it (hotline/crypto.py)
                value = field.get_prep_value(value)
            elif isinstance(field, HashField):
                value = blind_index(row.get(field.source) or "")
            values.append(_copy_value(value))
        buffer.write("\t".join(values))
        buffer.write("\n")
        pending += 1
        if pending >= CHUNK:
            flush()
    flush()


def make_user(institution_id, kind, username, name, created, **extra):
    return {
        "id": hexid(),
        "username": username,
        "type": kind,
        "institution_id": institution_id,
        "name": name,
        "gender": rng.choice(("男", "女")),
        "password": "!",  # unusable: the bench signs tokens directly (users.tokens.token_pair)
        "created_at": created,
        "updated_at": created,
        "activated": True,
        **extra,
    }


def build_institution(code, n_counselors, n_supervisors, n_visitors, now):
    """Institution, its staff and visitors (COPY); returns the user rows by role."""
    institution = Institution.objects.create(code=code, name=f"压测{code}")
    created = now - dt.timedelta(days=800)
    supervisors = [
        make_user(institution.pk, "SUPERVISOR", f"{code}_sup{i}", chinese_name(), created, max_consults=5)
        for i in range(n_supervisors)
    ]
    counselors = [
        make_user(institution.pk, "COUNSELOR", f"{code}_co{i}", chinese_name(), created, max_consults=5)
        for i in range(n_counselors)
    ]
    visitors = []
    for i in range(n_visitors):
        joined = now - dt.timedelta(seconds=rng.randrange(1, 730 * 86400))
        visitors.append(
            make_user(
                institution.pk,
                "VISITOR",
                f"o{code}{i:07d}",
                chinese_name(),
                joined,
                open_id=f"o{code}{i:07d}",
                wx_appid="wxbench",
            )
        )
    admin = make_user(institution.pk, "INSTITUTION", f"{code}_admin", "机构管理员", created, is_staff=False)
    return institution, admin, supervisors, counselors, visitors


def conversation_rows(institution_id, counselors, visitors, count, now, skip_counselors=0):
    """`count` closed conversations over two years, plus totals per counsellor."""
    rows = []
    totals = {}
    usable = counselors[skip_counselors:]
    for _ in range(count):
        counselor = rng.choice(usable)
        visitor = rng.choice(visitors)
        # Over two years, a little denser in the recent months (as a growing service is).
        age = min(rng.expovariate(1 / 250), 729.9)
        created = now - dt.timedelta(days=age, seconds=rng.randrange(0, 600))
        start = created + dt.timedelta(seconds=rng.randrange(0, 120))
        timed_out = rng.random() < 0.03
        duration_ms = 3_600_000 if timed_out else rng.randrange(5 * 60_000, 58 * 60_000)
        end = start + dt.timedelta(milliseconds=duration_ms)
        if end >= now:
            start = now - dt.timedelta(milliseconds=duration_ms + 120_000)
            created = start - dt.timedelta(seconds=30)
            end = start + dt.timedelta(milliseconds=duration_ms)
        totals[counselor["id"]] = totals.get(counselor["id"], 0) + duration_ms
        rows.append(
            {
                "id": hexid(),
                "type": "COUNSELING_SESSION",
                "status": "TIME_OUT" if timed_out else "FINISHED",
                "user_id": visitor["id"],
                "counselor_id": counselor["id"],
                "institution_id": institution_id,
                "start_time": start,
                "end_time": end,
                "duration": duration_ms,
                "creator_id": visitor["id"],
                "last_updater_id": visitor["id"],
                "created_at": created,
                "updated_at": end,
                "_visitor": visitor,
                "_counselor": counselor,
            }
        )
    return rows, totals


def open_conversation_rows(institution_id, counselors, visitors, now):
    """Today's open sessions within the capacity rule: 30 counsellors with 3 running, 10 at capacity
    (5 running) with 2 waiting each. Started 1–20 minutes ago, so none times out during the run."""
    rows = []
    visitor_iter = iter(visitors)
    plan = [(c, 3, 0) for c in counselors[20:50]] + [(c, 5, 2) for c in counselors[50:60]]
    for counselor, running, waiting in plan:
        for index in range(running + waiting):
            visitor = next(visitor_iter)
            created = now - dt.timedelta(minutes=20 - index)
            in_progress = index < running
            rows.append(
                {
                    "id": hexid(),
                    "type": "COUNSELING_SESSION",
                    "status": "IN_PROGRESS" if in_progress else "WAITING",
                    "user_id": visitor["id"],
                    "counselor_id": counselor["id"],
                    "institution_id": institution_id,
                    "start_time": created if in_progress else None,
                    "end_time": None,
                    "duration": 0,
                    "creator_id": visitor["id"],
                    "last_updater_id": visitor["id"],
                    "created_at": created,
                    "updated_at": created,
                    "_visitor": visitor,
                    "_counselor": counselor,
                }
            )
    return rows


def evaluation_rows(conversations):
    for row in conversations:
        if row["status"] == "WAITING" or rng.random() >= EVALUATED_SHARE:
            continue
        at = (row["end_time"] or row["created_at"]) + dt.timedelta(minutes=rng.randrange(1, 30))
        yield {
            "id": hexid(),
            "conversation_id": row["id"],
            "object_type": "CONVERSATION",
            "level": rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 10, 35, 50))[0],
            "content": rng.choice(("很有帮助", "老师很耐心", "", "一般", "谢谢")),
            "creator_id": row["user_id"],
            "created_at": at,
            "updated_at": at,
        }


def message_rows(conversation, count, now):
    """`count` text messages of one conversation, as messages/callbacks.py stores a callback."""
    visitor, counselor = conversation["_visitor"]["username"], conversation["_counselor"]["username"]
    start = conversation["start_time"] or conversation["created_at"]
    end = conversation["end_time"] or now
    first = int(start.timestamp())
    span = max(int(end.timestamp()) - first, 1)
    base_seq = rng.randrange(1, 1_000_000)
    for index in range(count):
        sender, receiver = (visitor, counselor) if index % 2 == 0 else (counselor, visitor)
        msg_time = first + (index * span) // count
        seq = base_seq + index
        msg_random = rng.randrange(1, 2**31)
        key = f"{seq}_{msg_random}_{msg_time}"
        body = [{"MsgType": "TIMTextElem", "MsgContent": {"Text": PHRASES[(index + seq) % len(PHRASES)]}}]
        raw = {
            "CallbackCommand": "C2C.CallbackAfterSendMsg",
            "From_Account": sender,
            "To_Account": receiver,
            "MsgSeq": seq,
            "MsgRandom": msg_random,
            "MsgTime": msg_time,
            "MsgKey": key,
            "OnlineOnlyFlag": 0,
            "SendMsgResult": 0,
            "ErrorInfo": "send msg succeed",
            "UnreadMsgNum": 0,
            "MsgBody": body,
            "CloudCustomData": conversation["id"],
        }
        yield {
            "id": hexid(),
            "msg_key": key,
            "conversation_id": conversation["id"],
            "cloud_custom_data": conversation["id"],
            "callback_command": "C2C.CallbackAfterSendMsg",
            "from_account": sender,
            "to_account": receiver,
            "msg_seq": seq,
            "msg_random": msg_random,
            "msg_time": msg_time,
            "online_only_flag": 0,
            "send_msg_result": 0,
            "error_info": "send msg succeed",
            "unread_msg_num": 0,
            "msg_body": body,
            "raw": raw,
            "is_revoked": False,
            "revoked_at": None,
            "placeholder": False,
            "created_at": dt.datetime.fromtimestamp(msg_time, tz=dt.UTC),
        }


def all_messages(conversations, big, now):
    """N_MESSAGES in all: BIG_CONVERSATION_MESSAGES in `big`, the rest spread 5 either side of the mean."""
    yield from message_rows(big, BIG_CONVERSATION_MESSAGES, now)
    others = [row for row in conversations if row is not big]
    rest = N_MESSAGES - BIG_CONVERSATION_MESSAGES
    mean = rest // len(others)
    counts = [max(mean + ((index * 7919) % 11) - 5, 1) for index in range(len(others))]
    counts[-1] = max(counts[-1] + rest - sum(counts), 1)
    for row, count in zip(others, counts, strict=True):
        yield from message_rows(row, count, now)


def main():
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    if User.objects.exists():
        sys.exit("bench/generate.py wants an empty database (run it through bench/run.py)")
    print("generating the bench dataset", file=sys.stderr)
    with transaction.atomic():
        institution, inst_admin, supervisors, counselors, visitors = build_institution(
            "bench", N_COUNSELORS, N_SUPERVISORS, N_VISITORS, now
        )
        sysadmin = make_user(institution.pk, "ADMIN", "bench_sysadmin", "系统管理员", now, is_staff=True)
        small, small_admin, _, small_counselors, small_visitors = build_institution(
            "bench-small", SMALL_COUNSELORS, 0, SMALL_VISITORS, now
        )
        users = [sysadmin, inst_admin, *supervisors, *counselors, *visitors]
        users += [small_admin, *small_counselors, *small_visitors]

        # Visitors with history, the ones with a session open today, and the burst visitors.
        history_visitors = visitors[: N_VISITORS - N_BURST_VISITORS - 1]
        burst_visitors = visitors[N_VISITORS - N_BURST_VISITORS - 1 : -1]
        spare_visitor = visitors[-1]
        open_rows = open_conversation_rows(institution.pk, counselors, history_visitors[-1000:], now)
        closed_rows, totals = conversation_rows(
            institution.pk,
            counselors,
            history_visitors[:-1000],
            N_CONVERSATIONS - len(open_rows),
            now,
        )
        small_rows, small_totals = conversation_rows(
            small.pk, small_counselors, small_visitors, SMALL_CONVERSATIONS, now
        )
        totals.update(small_totals)
        for counselor in counselors + small_counselors:
            counselor["total_time"] = totals.get(counselor["id"], 0)
        copy_rows(User, users, Progress("users", len(users)))

        through = User.supervisors.through
        copy_rows(
            through,
            (
                {"from_user_id": counselor["id"], "to_user_id": supervisors[i % N_SUPERVISORS]["id"]}
                for i, counselor in enumerate(counselors)
            ),
        )
        duty = [(c, "COUNSELOR") for c in counselors] + [(s, "SUPERVISOR") for s in supervisors]
        copy_rows(
            Arrangement,
            (
                {
                    "id": hexid(),
                    "user_id": user["id"],
                    "type": kind,
                    "date": today,
                    "source": "DAY",
                    "removed": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for user, kind in duty
            ),
        )
        # Two in three counsellors and supervisors are signed in to IM.
        copy_rows(
            Presence,
            (
                {
                    "identifier": user["username"],
                    "online": i % 3 != 2,
                    "action": "Login" if i % 3 != 2 else "Logout",
                    "event_time": int(now.timestamp() * 1000),
                    "updated_at": now,
                }
                for i, (user, _) in enumerate(duty)
            ),
        )
        conversations = closed_rows + open_rows
        copy_rows(
            Conversation,
            conversations + small_rows,
            Progress("conversations", len(conversations) + len(small_rows)),
        )
        evaluations = list(evaluation_rows(closed_rows + small_rows))
        copy_rows(Evaluation, evaluations, Progress("evaluations", len(evaluations)))

        # The 10 000-message conversation: a recent finished one of a non-burst counsellor.
        big = max(closed_rows, key=lambda row: row["created_at"])
        messages = Progress("messages", N_MESSAGES)
        copy_rows(Message, all_messages(closed_rows, big, now), messages)

        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {WRITE_TABLE} "
                "(id bigserial PRIMARY KEY, k varchar(64) UNIQUE NOT NULL, body text NOT NULL, "
                "created_at timestamptz NOT NULL DEFAULT now())"
            )
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would after a bulk load: it sets the visibility map that index-only scans
        # rely on (a production table's settled rows have it), and ANALYZE gives the planner statistics.
        print("  VACUUM ANALYZE", file=sys.stderr)
        cursor.execute("VACUUM ANALYZE")

    dataset = {
        "generatedAt": now.isoformat(),
        "institution": institution.code,
        "smallInstitution": small.code,
        "sysadmin": sysadmin["id"],
        "instAdmin": inst_admin["id"],
        "smallAdmin": small_admin["id"],
        "visitor": history_visitors[0]["id"],
        "burstVisitors": [v["id"] for v in burst_visitors],
        "burstCounselors": [c["id"] for c in counselors[:N_BURST_COUNSELORS]],
        "spareVisitor": spare_visitor["id"],
        "spareCounselor": counselors[N_BURST_COUNSELORS]["id"],
        "bigConversation": big["id"],
        # Where the callback load files its messages (not the big one, which the export reads).
        "callbackConversation": next(row["id"] for row in closed_rows if row is not big),
        "bigConversationMessages": Message.objects.filter(conversation_id=big["id"]).count(),
        "counts": {
            "users": User.objects.count(),
            "conversations": Conversation.objects.filter(institution=institution).count(),
            "smallConversations": Conversation.objects.filter(institution=small).count(),
            "evaluations": Evaluation.objects.count(),
            "messages": Message.objects.count(),
            "openToday": len(open_rows),
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    (WORK_DIR / "dataset.json").write_text(json.dumps(dataset, indent=1))
    print(f"  dataset ready in {dataset['seconds']} s: {dataset['counts']}", file=sys.stderr)


if __name__ == "__main__":
    main()
