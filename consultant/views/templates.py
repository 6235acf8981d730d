"""The institution's spreadsheet templates (seed 001 模板文件): upload, list, download."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema

from hotline.api.envelope import ws_ok
from hotline.api.errors import InvalidParam
from hotline.api.inputs import validated

from .. import selectors
from ..api import WorkspaceViewSet, uploads
from ..outputs import TemplateNamesOut, TemplateOut
from ..schema import OK_ENVELOPE, data_of, multipart_request, responses, ws_request
from ..serializers import DownloadIn
from ..services import templates
from ..workbooks import XLSX_TYPE, content_type_of, zip_files


class TemplateViewSet(WorkspaceViewSet):
    token_only = ("upload", "list", "download")

    @extend_schema(
        summary="上传模板文件 (multipart: token, files)",
        request=multipart_request("TemplateUploadBody", files=("files",)),
        responses=responses(data_of(TemplateNamesOut)),
    )
    def upload(self, request):
        sent = uploads(request, "files")
        if not sent:
            raise InvalidParam.missing("files")
        names = templates.templates_upload(actor=request.user, uploads=sent)
        return ws_ok(TemplateNamesOut({"fileNames": names}).data)

    @extend_schema(
        summary="查询模板文件列表",
        request=ws_request("TemplateListBody"),
        responses=responses(data_of(TemplateOut, many=True)),
    )
    def list(self, request):
        return ws_ok(TemplateOut(selectors.templates_of(request.user), many=True).data)

    @extend_schema(
        summary="下载模板文件 (一个文件直接返回，多个打包为 zip)",
        request=ws_request("TemplateDownloadBody", DownloadIn),
        responses={
            (200, XLSX_TYPE): bytes,
            (200, "application/zip"): bytes,
            **{status: schema for status, schema in responses(OK_ENVELOPE).items() if status != 200},
        },
    )
    def download(self, request):
        data = validated(DownloadIn, request.data)
        found = selectors.template_files(request.user, list(dict.fromkeys(data["fileNames"])))
        if len(found) == 1:
            filename, content = found[0]
            content_type = content_type_of(filename)
        else:
            content, content_type, filename = zip_files(found), "application/zip", "templates.zip"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
