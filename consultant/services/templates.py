"""The institution's spreadsheet templates (seed 001 模板文件), stored through Django's storage API."""

import re
import secrets
from pathlib import PurePosixPath

from hotline.api.errors import Forbidden, InvalidParam
from users.models import UserType
from users.scoping import visible_to

from ..models import Template
from ..spreadsheets import read_table, read_upload
from ..storage import delete_after_commit, staged_files, template_path
from ..workbooks import BUILTIN_TEMPLATE

TEMPLATE_EDITORS = (UserType.SUPERVISOR, UserType.INSTITUTION, UserType.ADMIN)

SAFE_TEMPLATE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,120}\.(xlsx|xls)$", re.IGNORECASE)


def _checked(upload):
    """(file name, kind, bytes) of an upload that is a readable spreadsheet with a safe name."""
    name = PurePosixPath(upload.name or "").name.strip()
    if not SAFE_TEMPLATE_NAME.match(name) or name == BUILTIN_TEMPLATE:
        raise InvalidParam.field("files", "文件名须以 .xlsx 或 .xls 结尾且不能与内置模板同名")
    read_table(upload, "files")  # a template must be a readable spreadsheet, not just carry the magic bytes
    upload.seek(0)
    kind, data = read_upload(upload, "files")
    return name, kind, data


def _store(staged, *, user, name, kind, data):
    institution_id = user.institution_id
    existing = visible_to(user, Template.objects.all()).select_for_update().filter(file_name=name).first()
    stored = staged.save(template_path(institution_id, f"{secrets.token_hex(12)}.{kind}"), data)
    Template.objects.update_or_create(
        institution_id=institution_id,
        file_name=name,
        defaults={"stored_name": PurePosixPath(stored).name, "size": len(data), "uploaded_by": user},
    )
    if existing is not None:
        delete_after_commit(template_path(institution_id, existing.stored_name))


def template_store(*, user, name, kind, data):
    """Save (or replace) the institution's template called `name` (bytes of a `kind` spreadsheet).
    A replaced file is removed only after the new row is committed."""
    with staged_files() as staged:
        _store(staged, user=user, name=name, kind=kind, data=data)


def templates_upload(*, actor, uploads):
    """Save (or replace, by name) the uploaded templates, all or none; answers their names. The templates
    are the whole institution's: supervisors and administrators replace them, counsellors use them."""
    if actor.type not in TEMPLATE_EDITORS:
        raise Forbidden("仅督导或管理员可以上传机构模板")
    checked = [_checked(upload) for upload in uploads]
    with staged_files() as staged:
        for name, kind, data in checked:
            _store(staged, user=actor, name=name, kind=kind, data=data)
    return [name for name, _, _ in checked]
