"""`seed_demo --scale N`: N more counsellors, each with a realistic month of work, in bulk inserts.

One unit per counsellor (`scale_c00001` …, alternately in each demo institution): 10 visitors,
20 finished counselling sessions over the last 30 days (2 of them today), 10 messages each (encrypted by
the model fields, as the IM callback stores them), ratings on 3 sessions in 5, a week of duty days,
5 workspace orders and a case file with 2 interview records. Units are created in chunks, one transaction
each; a unit whose counsellor exists is skipped, so running again (or after an interruption) adds only
the missing ones."""

import random
from datetime import time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from consultant.models import Archive, InterviewRecord, Order, OrderStatus, OrderType
from conversations.constants import ConversationStatus
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import day_start, today
from messages.models import Message
from scheduling.models import Arrangement
from users.models import Institution, User, UserType
from users.services import md5_hex

from .progress import Progress

VISITORS_PER_UNIT = 10
SESSIONS_PER_UNIT = 20
MESSAGES_PER_SESSION = 10
ORDERS_PER_UNIT = 5
UNITS_PER_CHUNK = 25
BATCH = 1000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["思远", "雨桐", "子涵", "浩然", "欣怡", "一鸣", "佳怡", "宇轩", "梓萱", "俊杰", "诗涵", "明轩"]
LINES = [
    ("v", "老师您好，最近压力很大"),
    ("c", "你好，很高兴你来聊聊。能说说发生了什么吗？"),
    ("v", "期末和实习撞在一起，每天都睡不好"),
    ("c", "听起来这段时间真的很辛苦。睡不好大概持续多久了？"),
    ("v", "快两周了，白天也没精神"),
    ("c", "谢谢你告诉我。我们先一起看看哪些事情最紧急。"),
    ("v", "主要是实习报告，下周就要交"),
    ("c", "好的，我们可以把它拆成几个小步骤，今天先完成第一步。"),
    ("v", "这样感觉轻松一点了"),
    ("c", "很好。如果情绪又变得很糟糕，随时可以再来找我们。"),
]
KEYWORDS = ["焦虑", "失眠", "学业压力", "人际关系", "情绪低落", "家庭矛盾"]


def username(index):
    return f"scale_c{index:05d}"


def seed_scale(units, *, stdout):
    """Ensure units 1 … `units` exist; returns a dict of the rows created, by kind."""
    institutions = list(Institution.objects.filter(code__in=("ecnu", "sjtu")).order_by("code"))
    existing = set(
        User.objects.filter(username__in=[username(i) for i in range(1, units + 1)]).values_list(
            "username", flat=True
        )
    )
    missing = [i for i in range(1, units + 1) if username(i) not in existing]
    totals = dict.fromkeys(
        (
            "users",
            "conversations",
            "messages",
            "evaluations",
            "arrangements",
            "orders",
            "archives",
            "records",
        ),
        0,
    )
    if not missing:
        return totals
    password = make_password(md5_hex("hotline123"))  # one hash for every scale counsellor (the demo password)
    progress = Progress(stdout, len(missing), "seed_demo --scale")
    for start in range(0, len(missing), UNITS_PER_CHUNK):
        chunk = missing[start : start + UNITS_PER_CHUNK]
        with transaction.atomic():
            rows = _build(chunk, institutions, password)
            for kind, objects in rows.items():
                _insert(objects)
                totals[kind] += len(objects)
            records = _records(rows["archives"])  # now that the archives have their ids
            _insert(records)
            totals["records"] += len(records)
            # auto_now_add stamped every creation time "now": put back the dataset's own (one UPDATE a batch)
            for conversation in rows["conversations"]:
                conversation.created_at = conversation.seed_created
            for order in rows["orders"]:
                order.commit_time = order.seed_committed
            Conversation.objects.bulk_update(rows["conversations"], ["created_at"], batch_size=BATCH)
            Order.objects.bulk_update(rows["orders"], ["commit_time"], batch_size=BATCH)
        progress.advance(len(chunk))
    totals["seconds"] = round(progress.finish(), 1)
    return totals


def _insert(objects):
    if objects:
        type(objects[0]).objects.bulk_create(objects, batch_size=BATCH)


def _build(indexes, institutions, password):
    """Every row of the given units, in insertion order (users before what refers to them)."""
    now = timezone.now()
    day = today()
    monday = day - timedelta(days=day.isoweekday() - 1)
    rows = {kind: [] for kind in ("users", "conversations", "messages", "evaluations", "arrangements")}
    rows.update(orders=[], archives=[])
    for index in indexes:
        rng = random.Random(index)
        inst = institutions[index % len(institutions)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        counselor = User(
            username=username(index),
            type=UserType.COUNSELOR,
            institution=inst,
            name=name,
            gender=rng.choice(["男", "女"]),
            email=f"{username(index)}@example.com",
            department="心理咨询中心",
            title=rng.choice(["一级咨询师", "二级咨询师", "三级咨询师"]),
            age=rng.randint(26, 55),
            password=password,
            state="NORMAL",
        )
        rows["users"].append(counselor)
        visitors = []
        for number in range(VISITORS_PER_UNIT):
            visitor_name = f"scale_v{index:05d}_{number:02d}"
            visitor = User(
                username=visitor_name,
                open_id=visitor_name,
                type=UserType.VISITOR,
                institution=inst,
                name=rng.choice(SURNAMES) + "同学",
                activated=True,
                password=make_password(None),
            )
            visitors.append(visitor)
        rows["users"].extend(visitors)
        total_time = 0
        for number in range(SESSIONS_PER_UNIT):
            visitor = visitors[number % VISITORS_PER_UNIT]
            if number < 2:  # today, in the hours already past
                started = day_start(day) + timedelta(minutes=rng.randint(0, max(1, _minutes_today(now) - 60)))
            else:
                started = now - timedelta(days=rng.randint(1, 29), hours=rng.randint(0, 12))
            created = started - timedelta(seconds=rng.randint(0, 900))
            minutes = rng.randint(15, 60)
            conversation = Conversation(
                status=ConversationStatus.FINISHED,
                user=visitor,
                counselor=counselor,
                institution=inst,
                start_time=started,
                end_time=started + timedelta(minutes=minutes),
                duration=minutes * 60_000,
                creator=visitor,
            )
            conversation.seed_created = created
            total_time += minutes * 60_000
            rows["conversations"].append(conversation)
            rows["messages"].extend(_messages(conversation, visitor, counselor, started))
            if number % 5 < 3:
                rows["evaluations"].append(
                    Evaluation(
                        conversation=conversation,
                        level=rng.choice([3, 4, 5, 5, 5]),
                        content=rng.choice(["", "谢谢老师", "很有帮助"]),
                        creator=visitor,
                    )
                )
        counselor.total_time = total_time
        for offset in range(7):
            rows["arrangements"].append(
                Arrangement(user=counselor, type=counselor.type, date=monday + timedelta(days=offset))
            )
        for number in range(ORDERS_PER_UNIT):
            appointment = day - timedelta(days=rng.randint(-7, 60))
            finished = appointment < day
            order = Order(
                consultant=counselor,
                order_id=f"ZXS{index:05d}{number:02d}",
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                age=rng.randint(17, 30),
                gender=rng.choice(["男", "女"]),
                type=rng.choice([OrderType.ONLINE, OrderType.OFFLINE]),
                key_word=rng.sample(KEYWORDS, 2),
                date=appointment,
                time=time(rng.choice([9, 10, 14, 15, 16]), rng.choice([0, 30])),
                contact=f"139{index:04d}{number:04d}"[:11],
                status=OrderStatus.FINISHED if finished else OrderStatus.PENDING,
                finish_time=now if finished else None,
            )
            order.seed_committed = now - timedelta(days=max(1, (day - appointment).days + 3))
            rows["orders"].append(order)
        archive = Archive(
            consultant=counselor,
            std_name=rng.choice(SURNAMES) + "同学",
            std_grade=rng.choice(["大一", "大二", "大三", "研一"]),
            std_school="心理与认知科学学院",
            interview_status="进行中",
            interview_type="个体访谈",
            doctor_evaluation="情绪逐步稳定",
            follow_up_plan="每两周复访",
        )
        rows["archives"].append(archive)
    return rows


def _records(archives):
    """Two interview records per archive (built once the archives have their ids)."""
    return [
        InterviewRecord(
            archive=archive,
            count=count,
            name=archive.std_name,
            date=(today() - timedelta(days=28 - 14 * count)).isoformat(),
            time="14:00",
            duration="50分钟",
            visit_status="已完成",
            description="学业压力与睡眠困扰" if count == 1 else "作息改善，情绪平稳",
            doctor_evaluation="需持续关注",
            follow_up_plan="两周后复访",
            next_visit_plan="两周后",
            crisis_status="无",
            consultant_name=archive.consultant.name,
        )
        for archive in archives
        for count in (1, 2)
    ]


def _minutes_today(now):
    return int((now - day_start(today())).total_seconds() // 60)


def _messages(conversation, visitor, counselor, started):
    """The session's messages as the IM callback stores them (text and raw body encrypted by the fields)."""
    base = int(started.timestamp())
    rows = []
    for number, (speaker, text) in enumerate(LINES[:MESSAGES_PER_SESSION]):
        sender, receiver = (visitor, counselor) if speaker == "v" else (counselor, visitor)
        element = {"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}
        key = f"scale-{conversation.pk}-{number}"
        rows.append(
            Message(
                msg_key=key,
                conversation=conversation,
                cloud_custom_data=conversation.pk,
                callback_command="C2C.CallbackAfterSendMsg",
                from_account=sender.username,
                to_account=receiver.username,
                msg_seq=number + 1,
                msg_random=number,
                msg_time=base + 30 * number,
                error_info="send msg succeed",
                msg_body=[element],
                raw={"MsgKey": key, "MsgBody": [element], "CloudCustomData": conversation.pk},
            )
        )
    return rows
