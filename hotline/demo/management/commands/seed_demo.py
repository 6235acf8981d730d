"""Demo data for `make run`: safe to run twice (everything is looked up by a natural key first)."""

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultant.models import (
    Archive,
    ConsultantProfile,
    InterviewRecord,
    Order,
    OrderStatus,
    OrderType,
    Template,
)
from consultant.services.templates import template_store
from consultant.workbooks import builtin_template_bytes
from conversations.constants import AlertStatus, ConversationStatus, RiskLevel, RiskSource
from conversations.models import Alert, Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import SHANGHAI, today
from hotline.demo.scale import seed_scale
from messages.models import Message
from quickreplies.models import QuickReply, QuickReplyScope
from scheduling.models import Arrangement, LeavePeriod, Presence, WeeklyDuty
from users.consent import current_consent_version
from users.models import ConsentRecord, Institution, User, UserType
from users.services import md5_hex

DEMO_PASSWORD = "hotline123"

INSTITUTIONS = [("ecnu", "华东师范大学"), ("sjtu", "上海交通大学")]

# username, type, institution, profile
USERS = [
    ("admin", UserType.ADMIN, "ecnu", {"name": "系统管理员"}),
    ("ecnu_admin", UserType.INSTITUTION, "ecnu", {"name": "华师大管理员", "email": "ecnu_admin@example.com"}),
    ("sjtu_admin", UserType.INSTITUTION, "sjtu", {"name": "交大管理员"}),
    (
        "zhouyu",
        UserType.SUPERVISOR,
        "ecnu",
        {
            "name": "周瑜",
            "gender": "女",
            "phone_number": "18847831723",
            "id_number": "421124199306160784",
            "department": "心理咨询中心",
            "title": "副教授",
            "age": 33,
            "qualification": "三级",
            "qualification_code": "1000",
        },
    ),
    (
        "liMeijin",
        UserType.COUNSELOR,
        "ecnu",
        {
            "name": "李玫瑾",
            "gender": "女",
            "phone_number": "13122334567",
            "id_number": "340322199905057823",
            "department": "心理研究院",
            "title": "一级咨询师",
            "age": 27,
            "email": "limeijin@example.com",
        },
    ),
    (
        "Rengar",
        UserType.COUNSELOR,
        "ecnu",
        {
            "name": "雷恩加尔",
            "gender": "男",
            "phone_number": "13800138000",
            "department": "心理研究院",
            "title": "二级咨询师",
        },
    ),
    (
        "jiaoda_zxs",
        UserType.COUNSELOR,
        "sjtu",
        {"name": "王老师", "gender": "男", "department": "学生心理中心"},
    ),
    (
        "o92QK5jwNNeMQG_X4GYDngC978iw",
        UserType.VISITOR,
        "ecnu",
        {"name": "小林", "gender": "女", "open_id": "o92QK5jwNNeMQG_X4GYDngC978iw"},
    ),
    ("o92QK5j3QuMqvOnGFsDXH23e6ihg", UserType.VISITOR, "ecnu", {"open_id": "o92QK5j3QuMqvOnGFsDXH23e6ihg"}),
    (
        "o92QK5m1BHWrtK4m5ULqpZhb9aFY",
        UserType.VISITOR,
        "ecnu",
        {"name": "白同学", "open_id": "o92QK5m1BHWrtK4m5ULqpZhb9aFY"},
    ),
    (
        "o92QK5demoWaitingVisitor0001",
        UserType.VISITOR,
        "ecnu",
        {"name": "陈同学", "open_id": "o92QK5demoWaitingVisitor0001"},
    ),
    # the crisis workflow (CONTRACT §10): a flagged visitor waiting ahead of 陈同学, a transferred one
    (
        "o92QK5demoCrisisVisitor00001",
        UserType.VISITOR,
        "ecnu",
        {"name": "吴同学", "open_id": "o92QK5demoCrisisVisitor00001"},
    ),
    (
        "o92QK5demoTransferVisitor001",
        UserType.VISITOR,
        "ecnu",
        {"name": "郑同学", "open_id": "o92QK5demoTransferVisitor001"},
    ),
]

# (speaker, kind, content): "v" visitor / "c" counsellor; kind text or voice (an uploaded mp3's link)
TRANSCRIPT = [
    ("v", "text", "咨询师您好"),
    ("v", "text", "请问现在可以开始吗"),
    ("c", "text", "嗯嗯，可以的。你好，我是今天的接线员。很高兴见到你，怎么称呼你呢？"),
    ("v", "text", "叫我小林就好。最近总是睡不好，压力很大"),
    ("c", "voice", "https://hotline.example.edu.cn/file/download?fileName=demo-voice-1.mp3"),
    ("v", "text", "期末考试快到了，我觉得自己怎么学都学不完"),
    ("c", "text", "听起来这段时间你承受了很多压力。能具体说说是什么让你最担心吗？"),
    ("v", "voice", "https://hotline.example.edu.cn/file/download?fileName=demo-voice-2.mp3"),
    ("c", "text", "谢谢你愿意分享。我们一起来看看可以先从哪一件小事开始。"),
    ("v", "text", "好的，谢谢老师，感觉好一些了"),
]

# visitor, counsellor, days ago, minutes long, evaluation level (None: not rated), content
FINISHED_SESSIONS = [
    ("o92QK5jwNNeMQG_X4GYDngC978iw", "liMeijin", 6, 35, 5, "老师很耐心，谢谢"),
    ("o92QK5j3QuMqvOnGFsDXH23e6ihg", "liMeijin", 4, 50, 4, ""),
    ("o92QK5m1BHWrtK4m5ULqpZhb9aFY", "Rengar", 3, 20, 5, "挺好的"),
    ("o92QK5jwNNeMQG_X4GYDngC978iw", "Rengar", 1, 42, None, ""),
]


WORKSPACE_PROFILE = {
    "introduction": "国家二级心理咨询师，从事高校心理咨询工作八年。",
    "experience": "华东师范大学心理咨询中心专职咨询师",
    "expertise": "情绪困扰、学业压力、人际关系",
    "education": "应用心理学硕士",
    "certifications": "国家二级心理咨询师",
}

# the workspace's visitors: name and age by position
ORDER_NAMES = [
    "张晓",
    "王磊",
    "李娜",
    "欧阳雪",
    "陈晨",
    "刘洋",
    "赵敏",
    "孙悦",
    "周杰",
    "吴桐",
    "郑爽",
    "冯远",
]
ORDER_AGES = [16, 19, 21, 24, 28, 33, 38, 44, 52, 58, 20, 23]

# student, grade, class, school, crisis status, one note per interview
CASES = [
    ("林同学", "大二", "心理学2班", "华东师范大学", "无", ["学业压力大，作息紊乱", "作息改善，情绪平稳"]),
    (
        "周同学",
        "大一",
        "计科1班",
        "华东师范大学",
        "高危",
        ["入学适应困难，提及无望感", "出现自伤念头，已联系辅导员"],
    ),
    ("吴同学", "研一", "教育学1班", "华东师范大学", "低风险", ["导师关系紧张"]),
]


DEMO_SHARED_REPLIES = [
    "你好，我是今天的值班咨询师，很高兴你愿意来聊一聊。",
    "听起来这件事让你很难受，愿意多说一些吗？",
    "如果你现在有伤害自己的想法，请立即拨打 12356 心理援助热线，或 120/110。",
]
DEMO_PERSONAL_REPLIES = {
    "liMeijin": ["我们先做几次深呼吸，慢慢来。", "今天的时间快到了，我们约下次继续好吗？"],
    "zhouyu": ["我是督导周瑜，会和你的咨询师一起关注你的情况。"],
}
DEMO_CHILD_VISITOR = "o92QK5demoChildVisitor00001"


class Command(BaseCommand):
    help = (
        "Fill the database with demo institutions and staff (idempotent); --scale N adds N counsellors with a "
        "month of sessions, messages, ratings, duty, orders and case files each (bulk inserts)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="also create N counsellors' worth of realistic data (about 260 rows each; safe to repeat)",
        )

    def handle(self, *args, scale=0, **options):
        if not settings.DEBUG:
            # Every demo account has the same published password (CONTRACT §11).
            raise CommandError("seed_demo creates accounts with a known password: it runs only with DEBUG=1")
        if scale < 0:
            raise CommandError("--scale must be 0 or more")
        with transaction.atomic():
            self._demo()
        if scale:
            totals = seed_scale(scale, stdout=self.stdout)
            seconds = totals.pop("seconds", 0)
            made = ", ".join(f"{count} {kind}" for kind, count in totals.items())
            self.stdout.write(
                self.style.SUCCESS(f"--scale {scale}: created {made} in {seconds} s")
                if any(totals.values())
                else f"--scale {scale}: all {scale} counsellors' data already present, nothing created"
            )

    def _demo(self):
        institutions = {}
        for code, name in INSTITUTIONS:
            institutions[code], _ = Institution.objects.get_or_create(code=code, defaults={"name": name})
        created = 0
        for username, user_type, code, profile in USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, type=user_type, institution=institutions[code], **profile)
            if user_type == UserType.VISITOR:
                user.set_unusable_password()
                user.activated = True
            else:
                user.set_password(md5_hex(DEMO_PASSWORD))
                user.state = "NORMAL"
            if user_type == UserType.ADMIN:
                user.is_staff = user.is_superuser = True
            elif user_type == UserType.INSTITUTION:
                user.is_staff = True  # the admin's dashboard and read-only pages, for its institution
            user.save(force_insert=True)
            created += 1
        supervisor = User.objects.get(username="zhouyu")
        for username in ("liMeijin", "Rengar"):
            User.objects.get(username=username).supervisors.add(supervisor)
        self._duty(supervisor)
        self._conversations()
        self._care()
        self._workspace()
        self._archives_and_schedule()
        self._quick_replies_and_consent()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ready ({created} users created); staff password: {DEMO_PASSWORD} "
                f"(hotline login sends md5: {md5_hex(DEMO_PASSWORD)})"
            )
        )

    def _quick_replies_and_consent(self):
        """Shared and personal quick replies; consent records of the ecnu visitors, one of them a 13-year-old
        whose guardian consented too (CONTRACT §10)."""
        admin = User.objects.get(username="ecnu_admin")
        if not QuickReply.objects.filter(shared_institution=admin.institution).exists():
            QuickReply.objects.bulk_create(
                QuickReply(
                    scope=QuickReplyScope.INSTITUTION,
                    content=content,
                    shared_institution=admin.institution,
                    creator=admin,
                )
                for content in DEMO_SHARED_REPLIES
            )
        for username, contents in DEMO_PERSONAL_REPLIES.items():
            owner = User.objects.get(username=username)
            if not QuickReply.objects.filter(owner=owner).exists():
                QuickReply.objects.bulk_create(
                    QuickReply(scope=QuickReplyScope.PERSONAL, content=content, owner=owner, creator=owner)
                    for content in contents
                )
        child, _ = User.objects.get_or_create(
            username=DEMO_CHILD_VISITOR,
            defaults={
                "type": UserType.VISITOR,
                "institution": admin.institution,
                "name": "小周",
                "age": 13,
                "open_id": DEMO_CHILD_VISITOR,
                "activated": True,
                "password": "!",  # unusable: visitors sign in through WeChat
            },
        )
        version = current_consent_version()
        for username in ("o92QK5jwNNeMQG_X4GYDngC978iw", "o92QK5m1BHWrtK4m5ULqpZhb9aFY", DEMO_CHILD_VISITOR):
            visitor = User.objects.get(username=username)
            if ConsentRecord.objects.filter(user=visitor).exists():
                continue
            guardian = (
                {"guardian_name": "周女士", "guardian_phone": "13912340013"} if visitor == child else {}
            )
            ConsentRecord.objects.create(user=visitor, version=version, ip="127.0.0.1", **guardian)

    def _duty(self, supervisor):
        """This week's duty days for the ecnu staff, and weekday duty for liMeijin from now on."""
        admin = User.objects.get(username="ecnu_admin")
        monday = today() - timedelta(days=today().isoweekday() - 1)
        staff = [User.objects.get(username=name) for name in ("liMeijin", "Rengar")] + [supervisor]
        for offset in range(7):
            for user in staff:
                Arrangement.objects.get_or_create(
                    user=user,
                    date=monday + timedelta(days=offset),
                    start_time=None,
                    defaults={"type": user.type, "creator": admin, "last_updater": admin},
                )
        li = staff[0]
        if not WeeklyDuty.objects.filter(user=li).exists():
            WeeklyDuty.objects.bulk_create(
                [
                    WeeklyDuty(user=li, type=li.type, weekday=day, valid_from=today(), creator=admin)
                    for day in range(1, 6)
                ]
            )
        for user in staff:
            Presence.objects.update_or_create(
                identifier=user.username, defaults={"online": True, "action": "Login"}
            )

    def _conversations(self):
        """Finished (some rated), one running and one waiting session, if the demo has none yet."""
        counselors = {name: User.objects.get(username=name) for name in ("liMeijin", "Rengar")}
        if Conversation.objects.filter(counselor__in=counselors.values()).exists():
            return
        now = timezone.now()
        for visitor_name, counselor_name, days_ago, minutes, level, content in FINISHED_SESSIONS:
            visitor = User.objects.get(username=visitor_name)
            counselor = counselors[counselor_name]
            started = now - timedelta(days=days_ago, hours=2)
            conversation = Conversation.objects.create(
                status=ConversationStatus.FINISHED,
                user=visitor,
                counselor=counselor,
                institution=counselor.institution,
                start_time=started,
                end_time=started + timedelta(minutes=minutes),
                duration=minutes * 60_000,
                creator=visitor,
            )
            Conversation.objects.filter(pk=conversation.pk).update(created_at=started)
            User.objects.filter(pk=counselor.pk).update(total_time=counselor.total_time + minutes * 60_000)
            counselor.refresh_from_db()
            if level is not None:
                Evaluation.objects.create(
                    conversation=conversation, level=level, content=content, creator=visitor
                )
            self._transcript(conversation, visitor, counselor, started)
        rengar = counselors["Rengar"]
        rengar.max_consults = 1
        rengar.save(update_fields=["max_consults"])
        running_visitor = User.objects.get(username="o92QK5m1BHWrtK4m5ULqpZhb9aFY")
        running = Conversation.objects.create(
            status=ConversationStatus.IN_PROGRESS,
            user=running_visitor,
            counselor=rengar,
            institution=rengar.institution,
            start_time=now - timedelta(minutes=5),
            creator=running_visitor,
        )
        Conversation.objects.filter(pk=running.pk).update(created_at=running.start_time)
        self._transcript(running, running_visitor, rengar, running.start_time, lines=TRANSCRIPT[:4])
        waiting_visitor = User.objects.get(username="o92QK5demoWaitingVisitor0001")
        Conversation.objects.create(
            status=ConversationStatus.WAITING,
            user=waiting_visitor,
            counselor=rengar,
            institution=rengar.institution,
            creator=waiting_visitor,
            was_waiting=True,
        )

    def _care(self):
        """The crisis workflow, if the demo has no alert yet: a visitor flagged by a risk phrase waiting
        ahead of 陈同学 with an open alert, an earlier session's acknowledged alert, and a transfer from
        liMeijin to Rengar (both sessions finished)."""
        rengar, li = User.objects.get(username="Rengar"), User.objects.get(username="liMeijin")
        if Alert.objects.filter(institution=rengar.institution).exists():
            return
        now = timezone.now()
        crisis_visitor = User.objects.get(username="o92QK5demoCrisisVisitor00001")
        flagged = Conversation.objects.create(
            status=ConversationStatus.WAITING,
            user=crisis_visitor,
            counselor=rengar,
            institution=rengar.institution,
            creator=crisis_visitor,
            was_waiting=True,
            risk_level=RiskLevel.HIGH,
            risk_source=RiskSource.KEYWORD,
            risk_time=now,
        )
        self._transcript(flagged, crisis_visitor, rengar, now, lines=[("v", "text", "我最近真的不想活了")])
        Alert.objects.create(
            conversation=flagged,
            counselor=rengar,
            institution=rengar.institution,
            risk_source=RiskSource.KEYWORD,
        )
        earlier = Conversation.objects.filter(counselor=li, status=ConversationStatus.FINISHED).order_by(
            "created_at"
        )[0]
        Conversation.objects.filter(pk=earlier.pk).update(
            risk_level=RiskLevel.HIGH, risk_source=RiskSource.STAFF, risk_time=earlier.start_time
        )
        supervisor = User.objects.get(username="zhouyu")
        Alert.objects.create(
            conversation=earlier,
            counselor=li,
            institution=li.institution,
            risk_source=RiskSource.STAFF,
            created_at=earlier.start_time,
            status=AlertStatus.ACKED,
            ack_time=earlier.start_time + timedelta(minutes=2),
            ack_by=supervisor,
        )
        visitor = User.objects.get(username="o92QK5demoTransferVisitor001")
        started = now - timedelta(days=2, hours=3)
        old = Conversation.objects.create(
            status=ConversationStatus.FINISHED,
            user=visitor,
            counselor=li,
            institution=li.institution,
            start_time=started,
            end_time=started + timedelta(minutes=10),
            duration=10 * 60_000,
            creator=visitor,
        )
        new = Conversation.objects.create(
            status=ConversationStatus.FINISHED,
            user=visitor,
            counselor=rengar,
            institution=rengar.institution,
            start_time=started + timedelta(minutes=10),
            end_time=started + timedelta(minutes=45),
            duration=35 * 60_000,
            creator=li,
            transferred_from=old,
        )
        Conversation.objects.filter(pk=old.pk).update(created_at=started, transferred_to=new)
        # As a real transfer: created when it happened, in line by the visitor's first arrival.
        Conversation.objects.filter(pk=new.pk).update(
            created_at=started + timedelta(minutes=10), queued_at=started
        )
        self._transcript(old, visitor, li, started, lines=TRANSCRIPT[:2])
        self._transcript(new, visitor, rengar, started + timedelta(minutes=10), lines=TRANSCRIPT[2:5])

    def _transcript(self, conversation, visitor, counselor, started, lines=TRANSCRIPT):
        """Messages as the IM callback would have stored them (text and customAudio voice)."""
        base = int(started.timestamp())
        rows = []
        for index, (speaker, kind, content) in enumerate(lines):
            sender, receiver = (visitor, counselor) if speaker == "v" else (counselor, visitor)
            if kind == "voice":
                element = {
                    "MsgType": "TIMCustomElem",
                    "MsgContent": {"Data": "customAudio", "Desc": content, "Ext": "", "Sound": ""},
                }
            else:
                element = {"MsgType": "TIMTextElem", "MsgContent": {"Text": content}}
            msg_time = base + 20 * index
            key = f"demo-{conversation.pk}-{index}"
            rows.append(
                Message(
                    msg_key=key,
                    conversation=conversation,
                    cloud_custom_data=conversation.pk,
                    callback_command="C2C.CallbackAfterSendMsg",
                    from_account=sender.username,
                    to_account=receiver.username,
                    msg_seq=index + 1,
                    msg_random=index,
                    msg_time=msg_time,
                    error_info="send msg succeed",
                    msg_body=[element],
                    raw={"MsgKey": key, "MsgBody": [element], "CloudCustomData": conversation.pk},
                )
            )
        Message.objects.bulk_create(rows, ignore_conflicts=True)

    def _workspace(self):
        """liMeijin also uses the workspace (email or phone login): a profile and five months of orders."""
        counselor = User.objects.get(username="liMeijin")
        ConsultantProfile.objects.get_or_create(user=counselor, defaults=WORKSPACE_PROFILE)
        if not Order.objects.filter(consultant=counselor).exists():
            self._orders(counselor)

    def _orders(self, counselor):
        rng = random.Random(20261125)
        statuses = [OrderStatus.FINISHED] * 5 + [
            OrderStatus.PENDING,
            OrderStatus.WAITING,
            OrderStatus.IN_PROGRESS,
            OrderStatus.REJECTED,
        ]
        now = timezone.now()
        for index in range(48):
            visitor = index % len(ORDER_NAMES)
            appointment = today() - timedelta(days=rng.randint(-10, 150))
            status = (
                statuses[index % len(statuses)]
                if appointment < today()
                else rng.choice([OrderStatus.PENDING, OrderStatus.WAITING])
            )
            order = Order.objects.create(
                consultant=counselor,
                order_id=f"ZXDEMO{index:04d}",
                name=ORDER_NAMES[visitor],
                age=ORDER_AGES[visitor],
                gender="女" if visitor % 2 == 0 else "男",
                type=OrderType.ONLINE if index % 3 else OrderType.OFFLINE,
                key_word=rng.sample(["焦虑", "失眠", "学业压力", "人际关系", "情绪低落", "家庭矛盾"], 2),
                date=appointment,
                time=time(rng.choice([9, 10, 14, 15, 16, 19, 20]), rng.choice([0, 30])),
                contact=f"1380000{visitor:04d}",
                status=status,
                amount=rng.choice([0, 5000, 8000, 12000]),
                finish_time=now if status == OrderStatus.FINISHED else None,
            )
            committed = now if index < 3 else now - timedelta(days=max(1, (today() - appointment).days + 3))
            Order.objects.filter(pk=order.pk).update(commit_time=committed)

    def _archives_and_schedule(self):
        """liMeijin's case files (one in crisis), an institution template, a month of work slots, leave."""
        counselor = User.objects.get(username="liMeijin")
        if not Archive.objects.filter(consultant=counselor).exists():
            for case in CASES:
                self._archive(counselor, *case)
        if not Template.objects.filter(institution=counselor.institution).exists():
            template_store(
                user=counselor, name="华师大访谈记录模板.xlsx", kind="xlsx", data=builtin_template_bytes()
            )
        self._work_slots(counselor)
        if not LeavePeriod.objects.filter(user=counselor).exists():
            leave_day = today() + timedelta(days=40)
            start = datetime.combine(leave_day, time(0), tzinfo=SHANGHAI)
            LeavePeriod.objects.create(
                user=counselor, start=start, end=start + timedelta(days=2, hours=23, minutes=59, seconds=59)
            )

    def _archive(self, counselor, name, grade, klass, school, crisis, notes):
        archive = Archive.objects.create(
            consultant=counselor,
            std_name=name,
            std_grade=grade,
            std_class=klass,
            std_school=school,
            interview_status="进行中",
            interview_type="个体访谈",
            doctor_evaluation=notes[-1],
            follow_up_plan="每两周复访" if crisis != "无" else "按需复访",
        )
        for number, note in enumerate(notes, start=1):
            InterviewRecord.objects.create(
                archive=archive,
                count=number,
                name=name,
                gender="女" if number % 2 else "男",
                school=school,
                grade=grade,
                class_name=klass,
                date=(today() - timedelta(days=30 - 14 * number)).isoformat(),
                time="14:00",
                duration="50分钟",
                visit_status="已完成",
                description=note,
                doctor_evaluation=note,
                follow_up_plan="持续关注",
                next_visit_plan="两周后",
                crisis_status=crisis,
                consultant_name=counselor.name,
            )

    def _work_slots(self, counselor):
        """Morning and afternoon slots on every weekday of this month."""
        first = today().replace(day=1)
        for offset in range(31):
            day = first + timedelta(days=offset)
            if day.month != first.month or day.isoweekday() > 5:
                continue
            for start, end in ((time(9), time(12)), (time(14), time(17))):
                Arrangement.objects.get_or_create(
                    user=counselor,
                    date=day,
                    start_time=start,
                    end_time=end,
                    defaults={"type": counselor.type, "creator": counselor, "last_updater": counselor},
                )
