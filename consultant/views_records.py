"""Workspace API: interview archives, records, intake profiles, templates and imports (seed 001 咨询档案).

Where the seed's body carries no `userID` (uploads, downloads, record create/update, intake profile), the
token alone identifies the counsellor; a `userID` sent anyway must match it."""

import json

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from hotline.api.client import client_ip
from hotline.api.envelope import paginate, ws_ok
from hotline.api.errors import InvalidParam
from hotline.api.fields import StrictCharField
from hotline.api.inputs import validated
from hotline.api.schema import envelope
from hotline.limits import BIGINT_MAX, DATE_INPUT_FORMATS, IMAGE_MAX_BYTES, TIME_FORMAT, TIME_INPUT_FORMATS
from messages import files

from . import interviews
from .auth import TokenOnly
from .views import OK_ENVELOPE, WorkspaceView, data_schema, list_schema, responses, ws_request

MULTIPART = [MultiPartParser, FormParser, JSONParser]


def _text(max_length=5000):
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class ArchiveFieldsIn(serializers.Serializer):
    std_name = StrictCharField(max_length=64)
    std_grade = _text(64)
    std_class = _text(64)
    std_school = _text(128)
    interview_count = _text(16)
    interview_status = _text(64)
    interview_type = _text(64)
    doctor_evaluation = _text()
    follow_up_plan = _text()


class ArchiveListIn(ArchiveFieldsIn):
    """Every archive field filters the list (none required), plus paging."""

    std_name = _text(64)
    page = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    page_size = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    pageSize = serializers.IntegerField(required=False, min_value=0, allow_null=True)


class IdIn(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)


@extend_schema_field({"type": "boolean", "description": "true/false, 是/否"})
class BoolText(serializers.Field):
    """true/false, "true"/"false", "是"/"否", 1/0 (multipart sends text)."""

    default_error_messages = {"invalid": "须为 true 或 false"}
    TRUE = {True, "1", "true", "True", "是"}
    FALSE = {False, "0", "false", "False", "否", ""}

    def to_internal_value(self, data):
        if isinstance(data, str | int | bool):
            if data in self.TRUE:
                return True
            if data in self.FALSE:
                return False
        self.fail("invalid")

    def to_representation(self, value):
        return bool(value)


class RecordFieldsIn(serializers.Serializer):
    count = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647, allow_null=True)
    name = _text(64)
    gender = _text(2)
    studentId = _text(64)
    school = _text(128)
    grade = _text(64)
    date = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUT_FORMATS)
    time = serializers.TimeField(required=False, allow_null=True, input_formats=TIME_INPUT_FORMATS)
    duration = _text(32)
    visitStatus = _text(64)
    description = _text()
    doctorEvaluation = _text()
    followUpPlan = _text()
    nextVisitPlan = _text()
    crisisStatus = _text(64)
    consultantName = _text(64)
    isThirdPartyEvaluation = BoolText(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = _text(64)
        return fields

    def validate(self, attrs):
        if attrs.get("date"):
            attrs["date"] = attrs["date"].isoformat()
        if attrs.get("time"):
            attrs["time"] = attrs["time"].strftime(TIME_FORMAT)
        return {key: ("" if value is None and key != "count" else value) for key, value in attrs.items()}


class RecordCreateIn(RecordFieldsIn):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="档案 id")


class RecordUpdateIn(RecordFieldsIn):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="咨询记录 id")


class EmergencyContactIn(serializers.Serializer):
    name = _text(64)
    relationship = _text(32)
    phone = _text(32)


class IntakeIn(serializers.Serializer):
    name = _text(64)
    gender = _text(2)
    age = _text(8)
    education = _text(64)
    occupation = _text(64)
    maritalStatus = _text(32)
    contact = _text(64)
    emergencyContact = EmergencyContactIn(required=False)
    referral = _text()
    complaint = _text()
    goal = _text()


class IntakeUpdateIn(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="咨询订单 id")
    profile = IntakeIn()


class DownloadIn(serializers.Serializer):
    fileNames = serializers.ListField(child=StrictCharField(max_length=128), allow_empty=False, max_length=50)


def _form_data(request, ignore=()):
    """Multipart/JSON body as a plain dict; an empty form field means "not given" (the seed's examples
    send every field as ""), files are read separately, `ignore`d fields are dropped."""
    data = request.data
    if hasattr(data, "dict"):
        data = {key: data.get(key) for key in data.keys() if key not in ("signatureImage", "attachImages")}
    elif not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if value != "" and key not in ignore}


def _store_images(request, field):
    uploads = request.FILES.getlist(field) if hasattr(request.FILES, "getlist") else []
    urls = []
    for upload in uploads:
        name = files.file_store(
            owner=request.user, upload=upload, field=field, kinds=files.IMAGE_KINDS, max_bytes=IMAGE_MAX_BYTES
        )
        urls.append(request.build_absolute_uri(f"/file/download?fileName={name}"))
    return urls


ARCHIVE = inline_serializer(
    "WorkspaceArchive",
    {
        "id": serializers.IntegerField(),
        **{
            name: serializers.CharField()
            for name in [*interviews.ARCHIVE_FIELDS, "interview_count", "create_time"]
        },
    },
)
RECORD = inline_serializer(
    "WorkspaceRecord",
    {
        **{
            name: serializers.CharField()
            for name in [*interviews.RECORD_FIELDS, "signatureImage", "attachImage"]
        },
        "id": serializers.IntegerField(),
        "isThirdPartyEvaluation": serializers.BooleanField(),
        "attachImages": serializers.ListField(child=serializers.CharField()),
    },
)


class ArchiveListView(WorkspaceView):
    @extend_schema(
        summary="获取咨询档案列表",
        request=ws_request("ArchiveListBody", ArchiveListIn),
        responses=responses(
            data_schema(
                "ArchivePage",
                {"total": serializers.IntegerField(), "data": serializers.ListField(child=ARCHIVE)},
            )
        ),
    )
    def post(self, request):
        data = validated(ArchiveListIn, request.data)
        queryset = interviews.archives_of(request.user, data)
        rows, total, _ = paginate(queryset, data, size_names=("page_size", "pageSize"))
        return ws_ok({"total": total, "data": [interviews.archive_row(row) for row in rows]})


class ArchiveCreateView(WorkspaceView):
    @extend_schema(
        summary="创建一条访谈/档案记录",
        request=ws_request("ArchiveCreateBody", ArchiveFieldsIn),
        responses=responses(data_schema("ArchiveCreated", {"id": serializers.IntegerField()})),
    )
    def post(self, request):
        data = validated(ArchiveFieldsIn, request.data)
        archive = interviews.archive_create(user=request.user, data=data)
        return ws_ok({"id": archive.pk}, id=archive.pk)


class ArchiveDeleteView(WorkspaceView):
    @extend_schema(
        summary="删除一条访谈/档案记录 (连同其全部咨询记录)",
        request=ws_request("ArchiveDeleteBody", IdIn),
        responses=responses(OK_ENVELOPE),
    )
    def post(self, request):
        data = validated(IdIn, request.data)
        interviews.archive_delete(user=request.user, archive_id=data["id"], ip=client_ip(request))
        return ws_ok(None)


class ArchiveRecordsView(WorkspaceView):
    @extend_schema(
        summary="获取咨询档案的详细咨询记录",
        request=ws_request("ArchiveRecordsBody", IdIn),
        responses=responses(list_schema("ArchiveRecords", RECORD)),
    )
    def post(self, request):
        data = validated(IdIn, request.data)
        archive = interviews.access_archive(request.user, data["id"])
        return ws_ok([interviews.record_row(record) for record in interviews.records_of(archive)])


class RecordCreateView(WorkspaceView):
    permission_classes = [TokenOnly]
    parser_classes = MULTIPART

    @extend_schema(
        summary="新建一条咨询记录 (multipart: 字段 + signatureImage + attachImages)",
        request={"multipart/form-data": ws_request("RecordCreateBody", RecordCreateIn)},
        responses=responses(data_schema("RecordCreated", {"id": serializers.IntegerField()})),
    )
    def post(self, request):
        data = validated(RecordCreateIn, _form_data(request))
        archive = interviews.access_archive(request.user, data["id"])
        signature = _store_images(request, "signatureImage")
        attachments = _store_images(request, "attachImages")
        record = interviews.record_create(
            archive=archive,
            data=data,
            signature_url=signature[0] if signature else "",
            attach_urls=attachments,
        )
        return ws_ok({"id": record.pk}, id=record.pk)


class RecordUpdateView(WorkspaceView):
    permission_classes = [TokenOnly]
    parser_classes = MULTIPART

    @extend_schema(
        summary="更新一条咨询记录 (只更新基本信息以外的字段)",
        request={"multipart/form-data": ws_request("RecordUpdateBody", RecordUpdateIn)},
        responses=responses(envelope("RecordUpdatedEnvelope", RECORD, workspace=True)),
    )
    def post(self, request):
        data = validated(RecordUpdateIn, _form_data(request, ignore=interviews.BASIC_RECORD_FIELDS))
        record = interviews.access_record(request.user, data["id"])
        signature = _store_images(request, "signatureImage")
        attachments = _store_images(request, "attachImages")
        interviews.record_update(
            record=record,
            data=data,
            signature_url=signature[0] if signature else None,
            attach_urls=attachments if attachments else None,
        )
        return ws_ok(interviews.record_row(record))


class IntakeView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="获取个人档案 (id: 咨询订单 id)",
        request=ws_request("IntakeBody", IdIn),
        responses=responses(data_schema("Intake", {"name": serializers.CharField()})),
    )
    def post(self, request):
        data = validated(IdIn, request.data)
        return ws_ok(interviews.intake_of(interviews.access_order(request.user, data["id"])))


class IntakeUpdateView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="写入个人档案 (整体覆盖)",
        request=ws_request("IntakeUpdateBody", IntakeUpdateIn),
        responses=responses(data_schema("IntakeSaved", {"name": serializers.CharField()})),
    )
    def post(self, request):
        data = validated(IntakeUpdateIn, request.data)
        order = interviews.access_order(request.user, data["id"])
        profile = {key: ("" if value is None else value) for key, value in data["profile"].items()}
        interviews.intake_save(order=order, profile=json.loads(json.dumps(profile)))
        return ws_ok(interviews.intake_of(order))


class TemplateUploadView(WorkspaceView):
    permission_classes = [TokenOnly]
    parser_classes = MULTIPART

    @extend_schema(
        summary="上传模板文件 (multipart: token, files)",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"token": {"type": "string"}, "files": {"type": "string", "format": "binary"}},
            }
        },
        responses=responses(data_schema("TemplatesUploaded", {"fileNames": serializers.ListField()})),
    )
    def post(self, request):
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise InvalidParam.missing("files")
        names = [interviews.template_upload(user=request.user, upload=upload) for upload in uploads]
        return ws_ok({"fileNames": names})


class TemplateListView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="查询模板文件列表",
        request=ws_request("TemplateListBody"),
        responses=responses(
            list_schema(
                "TemplateList",
                inline_serializer(
                    "TemplateItem", {"fileName": serializers.CharField(), "fileSize": serializers.CharField()}
                ),
            )
        ),
    )
    def post(self, request):
        return ws_ok(interviews.template_list(request.user))


class TemplateDownloadView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="下载模板文件 (一个文件直接返回，多个打包为 zip)",
        request=ws_request("TemplateDownloadBody", DownloadIn),
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
            (200, "application/zip"): bytes,
            **{status: schema for status, schema in responses(OK_ENVELOPE).items() if status != 200},
        },
    )
    def post(self, request):
        data = validated(DownloadIn, request.data)
        found = interviews.template_files(request.user, list(dict.fromkeys(data["fileNames"])))
        if len(found) == 1:
            name, content = found[0]
            content_type = (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if name.lower().endswith(".xlsx")
                else "application/vnd.ms-excel"
            )
            filename = name
        else:
            content, content_type, filename = interviews.zip_files(found), "application/zip", "templates.zip"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class RecordsImportView(WorkspaceView):
    permission_classes = [TokenOnly]
    parser_classes = MULTIPART

    @extend_schema(
        summary="上传访谈记录文件 .xls .xlsx (内置模板的列)",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"token": {"type": "string"}, "files": {"type": "string", "format": "binary"}},
            }
        },
        responses=responses(
            data_schema(
                "ImportResult",
                {"archives": serializers.IntegerField(), "records": serializers.IntegerField()},
            )
        ),
    )
    def post(self, request):
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise InvalidParam.missing("files")
        if len(uploads) > 1:
            raise InvalidParam.field("files", "一次只能导入一个文件")
        return ws_ok(interviews.import_records(user=request.user, upload=uploads[0]))
