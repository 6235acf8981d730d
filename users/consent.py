"""Informed consent: the seed's text (§39), the initial content of the editable ConsentDocument, and
consent as a record (CONTRACT §10): the current version, acceptances, the rule `PUT /conversation`
checks, and what erasure keeps of them."""

from django.conf import settings
from django.db import transaction
from rest_framework.permissions import BasePermission

from hotline.api.errors import Forbidden, InvalidParam

from .models import ConsentDocument, ConsentRecord, CrisisResource, UserType
from .scoping import OWN, visible_to

PARAGRAPHS = [
    "感谢您对我们热线平台的信任，通过我们平台寻求心理支持。我们平台是华东师范大学应用心理专业硕士的实践服务平台，"
    "向签约的服务群体提供心理疏导和支持服务，以及相关的科普教育，本平台不是常规的心理咨询服务和危机干预的热线，"
    "更不是心理治疗服务平台，如果您有心理治疗和咨询服务的需求，请联系具有行业资质的心理咨询与治疗机构。",
    "一、本协议中的双方应均为完全行为能力的人，本协议不针对无行为能力的人。对于未成年人，我们将根据具体情况，联系相应的监护人。",
    "二、根据《中华人民共和国精神卫生法》等法律法规，本平台不提供心理治疗及精神障碍诊断、治疗等相关服务；"
    "如果连线过程中，接线员了解到当事人有可能存在上述情况，则将建议其到法定医疗机构就诊。",
    "三、平台的接线员主要是应用心理专业硕士临床与咨询方向的研究生，他们在接受督导老师督导的情况下，通过接听热线，"
    "倾听您的需求，帮助您宣泄情绪、厘清问题，提供专业服务与支持",
    "四、保密原则",
    "1. 平台信息对外严格保密，包括您的身份信息、沟通内容等。接线员只有在与您签订保密协议后，才能就您的个案寻求内部督导，"
    "将相关信息提供给您导师。",
    "2. 平台为教学实践平台，在教学科研过程中，引用您的案例，须经您书面同意，且隐去可能显示您个人身份信息的内容。"
    "您有权拒绝，不影响为您提供服务。",
    "五、保密例外",
    "1. 经接线员和督导师评估，对于存在精神疾病倾向、缺乏自知能力的，或者有可能对自身或他人的生命安全构成严重危害的当事人，"
    "平台有权利联系相关负责机构或人员，采取相应的保护措施，尊重生命第一原则。",
    "2. 司法机构强制要求配合。",
    "六、热线服务设置 ",
    "1. 每次语音通话时间上限为40分钟，文字沟通时间上线1小时。",
    "2. 连线成功后，您和接线员在沟通过程中，均有权在任何时间提出终止服务。",
    "点击(我同意)视为同意以下条款：",
    "1. 我已仔细阅读该协议，理解并同意上述内容；如有疑问，我会和我的接线员继续咨询。",
    "2. 同意将我的咨询记录用于科研。（个人信息保密前提下，引用咨询或测评中产生的数据，如测评的分数）",
]


def default_information():
    children = []
    for index, text in enumerate(PARAGRAPHS):
        if index:
            children.append({"name": "br"})
        children.append({"type": "text", "text": text})
    return [{"name": "p", "attrs": {"class": "richText", "style": ""}, "children": children}]


# ---- consent as a record (CONTRACT §10) ----------------------------------------------------------------

GUARDIAN_AGE_MAX = 13  # PIPL art. 31: a child under 14 consents through a guardian
CONSENT_FIRST = "请先阅读并同意知情同意书"
DEFAULT_CRISIS_RESOURCES = [
    {"name": "全国心理援助热线", "phone": "12356", "hours": "24小时"},
    {"name": "医疗急救", "phone": "120", "hours": "24小时"},
    {"name": "报警求助", "phone": "110", "hours": "24小时"},
]


def current_consent_version():
    """The version of the consent text visitors accept now (1 before an operator ever edits it)."""
    version = ConsentDocument.objects.order_by("pk").values_list("version", flat=True).first()
    return version or 1


def crisis_resources():
    rows = CrisisResource.objects.order_by("position", "pk").values("name", "phone", "hours")
    return [dict(row) for row in rows]


def guardian_required(visitor):
    return visitor.age is not None and 1 <= visitor.age <= GUARDIAN_AGE_MAX


def consent_latest(visitor):
    """The visitor's most recent acceptance, or None."""
    return (
        visible_to(visitor, ConsentRecord.objects.all(), purpose=OWN)
        .only("version", "accepted_at", "user_id")
        .first()
    )


def consent_status(visitor):
    """`GET /consent`: what the visitor accepted last, the current version, whether a guardian must
    consent too."""
    latest = consent_latest(visitor)
    return {
        "version": latest.version if latest else None,
        "acceptTime": int(latest.accepted_at.timestamp() * 1000) if latest else 0,
        "current": current_consent_version(),
        "guardianRequired": guardian_required(visitor),
    }


@transaction.atomic
def consent_accept(*, visitor, version, guardian_name="", guardian_phone="", ip=""):
    """Record the visitor's acceptance of the current version (every acceptance is a row: the history is
    the proof). A visitor aged 1–13 names a guardian with a mainland mobile number."""
    if version != current_consent_version():
        raise InvalidParam.field("version", "知情同意书已更新，请阅读最新版本后再同意")
    if guardian_required(visitor):
        if not guardian_name:
            raise InvalidParam.field("guardianName", "未满14周岁须填写监护人姓名")
        if not guardian_phone:
            raise InvalidParam.field("guardianPhone", "未满14周岁须填写监护人手机号")
    return ConsentRecord.objects.create(
        user=visitor,
        version=version,
        ip=ip[:64],
        guardian_name=guardian_name,
        guardian_phone=guardian_phone,
    )


def consent_required_for(visitor):
    return settings.CONSENT_REQUIRED or visitor.institution.consent_required


def check_consent_given(visitor):
    """Raises 403 when the consent rule applies to the visitor (CONSENT_REQUIRED or its institution's
    switch) and it has not accepted the current version."""
    if not consent_required_for(visitor):
        return
    accepted = visible_to(
        visitor, ConsentRecord.objects.filter(version=current_consent_version()), purpose=OWN
    )
    if not accepted.exists():
        raise Forbidden(CONSENT_FIRST)


class ConsentGiven(BasePermission):
    """`PUT /conversation`: refused before anything is created while the consent rule is unmet."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.type == UserType.VISITOR:
            check_consent_given(user)
        return True


def consent_erase(user):
    """Erasure and retention: the visitor's consent rows keep version and time (the proof that consent
    was given) and lose the address and the guardian's name and phone."""
    ConsentRecord.objects.filter(user=user).exclude(ip="", guardian_name="", guardian_phone="").update(
        ip="", guardian_name="", guardian_phone=""
    )
