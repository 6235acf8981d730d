"""Case files (seed 001 咨询档案): archives at `/interview/records*`, their records at
`/interview/records/profile*`, and the spreadsheet import of both at `/interview/upload/records`."""

from drf_spectacular.utils import extend_schema

from hotline.api.client import client_ip
from hotline.api.envelope import paginate, ws_ok
from hotline.api.inputs import validated
from users.audit import audit_read

from .. import imports, selectors
from ..api import FILE_FIELDS, PAGE_SIZE_NAMES, WorkspaceViewSet, file_link, form_data, one_upload, uploads
from ..fields import BASIC_RECORD_FIELDS
from ..outputs import ArchivePageOut, IdOut, ImportOut, RecordOut
from ..schema import OK_ENVELOPE, data_of, multipart_request, responses, with_id, ws_request
from ..serializers import ArchiveFieldsIn, ArchiveListIn, IdIn, RecordCreateIn, RecordUpdateIn
from ..services import archives


class ArchiveViewSet(WorkspaceViewSet):
    token_only = ("record_create", "record_update", "import_records")

    @extend_schema(
        summary="获取咨询档案列表",
        request=ws_request("ArchiveListBody", ArchiveListIn),
        responses=responses(data_of(ArchivePageOut)),
    )
    def list(self, request):
        data = validated(ArchiveListIn, request.data)
        rows, total, _ = paginate(
            selectors.archives_filtered(request.user, data), data, size_names=PAGE_SIZE_NAMES
        )
        page = ArchivePageOut({"total": total, "data": rows}).data
        audit_read(request, "archive_list", *(row["id"] for row in page["data"]))
        return ws_ok(page)

    @extend_schema(
        summary="创建一条访谈/档案记录",
        request=ws_request("ArchiveCreateBody", ArchiveFieldsIn),
        responses=responses(with_id(IdOut)),
    )
    def create(self, request):
        data = validated(ArchiveFieldsIn, request.data)
        archive = archives.archive_create(actor=request.user, data=data)
        return ws_ok(IdOut(archive).data, id=archive.pk)

    @extend_schema(
        summary="删除一条访谈/档案记录 (连同其全部咨询记录)",
        request=ws_request("ArchiveDeleteBody", IdIn),
        responses=responses(OK_ENVELOPE),
    )
    def destroy(self, request):
        data = validated(IdIn, request.data)
        archives.archive_delete(actor=request.user, archive_id=data["id"], ip=client_ip(request))
        return ws_ok(None)

    @extend_schema(
        summary="获取咨询档案的详细咨询记录",
        request=ws_request("ArchiveRecordsBody", IdIn),
        responses=responses(data_of(RecordOut, many=True)),
    )
    def records(self, request):
        data = validated(IdIn, request.data)
        records = RecordOut(selectors.records_of(request.user, data["id"]), many=True).data
        audit_read(request, "archive", data["id"])
        return ws_ok(records)

    @extend_schema(
        summary="新建一条咨询记录 (multipart: 字段 + signatureImage + attachImages)",
        request=multipart_request("RecordCreateBody", RecordCreateIn, files=FILE_FIELDS),
        responses=responses(with_id(IdOut)),
    )
    def record_create(self, request):
        data = validated(RecordCreateIn, form_data(request))
        record = archives.record_create(
            actor=request.user,
            archive_id=data["id"],
            data=data,
            signatures=uploads(request, "signatureImage"),
            attachments=uploads(request, "attachImages"),
            link=file_link(request),
        )
        return ws_ok(IdOut(record).data, id=record.pk)

    @extend_schema(
        summary="更新一条咨询记录 (只更新基本信息以外的字段)",
        request=multipart_request("RecordUpdateBody", RecordUpdateIn, files=FILE_FIELDS),
        responses=responses(data_of(RecordOut)),
    )
    def record_update(self, request):
        data = validated(RecordUpdateIn, form_data(request, ignore=BASIC_RECORD_FIELDS))
        record = archives.record_update(
            actor=request.user,
            record_id=data["id"],
            data=data,
            signatures=uploads(request, "signatureImage"),
            attachments=uploads(request, "attachImages"),
            link=file_link(request),
        )
        return ws_ok(RecordOut(record).data)

    @extend_schema(
        summary="上传访谈记录文件 .xls .xlsx (内置模板的列)",
        request=multipart_request("RecordsImportBody", files=("files",)),
        responses=responses(data_of(ImportOut)),
    )
    def import_records(self, request):
        return ws_ok(ImportOut(imports.records_import(actor=request.user, upload=one_upload(request))).data)
