"""Demo data for `make run`: safe to run twice (everything is looked up by a natural key first)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from users.models import Institution, User, UserType
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
]


class Command(BaseCommand):
    help = "Fill the database with demo institutions and staff (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
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
            user.save(force_insert=True)
            created += 1
        supervisor = User.objects.get(username="zhouyu")
        for username in ("liMeijin", "Rengar"):
            User.objects.get(username=username).supervisors.add(supervisor)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ready ({created} users created); staff password: {DEMO_PASSWORD} "
                f"(hotline login sends md5: {md5_hex(DEMO_PASSWORD)})"
            )
        )
