"""Voice and image files that chat messages link to (`/file/upload`, `/file/download`)."""

import re
import secrets
import time
from pathlib import Path

import puremagic
from django.conf import settings

from hotline.api.errors import InvalidParam, NotFound, PayloadTooLarge
from hotline.limits import CHAT_FILE_MAX_BYTES, MIB

SAFE_NAME = re.compile(r"^(avatar~)?[A-Za-z0-9_-]{1,64}-\d{13}-[0-9a-f]{16}\.[a-z0-9]{2,5}$")
PUBLIC_PREFIX = "avatar~"  # avatars are shown in <img> tags: downloadable without a token
# What the content says (puremagic's extension) -> the extension the stored file gets.
ALLOWED = {
    ".mp3": "mp3",
    ".mpga": "mp3",
    ".m4a": "m4a",
    ".f4a": "m4a",
    ".aac": "aac",
    ".wav": "wav",
    ".amr": "amr",
    ".png": "png",
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".jfif": "jpg",
    ".jpe": "jpg",
    ".gif": "gif",
    ".webp": "webp",
}
SILK_MAGIC = (b"#!SILK_V3", b"\x02#!SILK_V3")
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "wav": "audio/wav",
    "amr": "audio/amr",
    "silk": "audio/silk",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def files_root():
    root = Path(settings.MEDIA_ROOT) / "files"
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


def sniff(head):
    """The allowed type of a file judged by its first bytes, or None."""
    if head.startswith(SILK_MAGIC):
        return "silk"
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches[:4]:
        kind = ALLOWED.get(match.extension.lower())
        if kind:
            return kind
    return None


IMAGE_KINDS = frozenset({"png", "jpg", "gif", "webp"})
CHAT_KINDS = frozenset(CONTENT_TYPES)


def file_store(*, owner, upload, field="file", kinds=CHAT_KINDS, max_bytes=CHAT_FILE_MAX_BYTES, public=False):
    """Store an upload whose content is one of `kinds`; answers the stored name."""
    if upload.size > max_bytes:
        raise PayloadTooLarge(f"文件不能超过{max_bytes // MIB}MB")
    if upload.size == 0:
        raise InvalidParam.field(field, "文件为空")
    head = upload.read(4096)
    upload.seek(0)
    kind = sniff(head)
    if kind is None or kind not in kinds:
        allowed = (
            "png、jpeg、gif、webp 图片"
            if kinds == IMAGE_KINDS
            else "mp3、m4a、aac、wav、amr、silk 音频或 png、jpeg、gif、webp 图片"
        )
        raise InvalidParam.field(field, f"只允许上传 {allowed}")
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", owner.username)[:64] or "user"
    name = f"{PUBLIC_PREFIX if public else ''}{stem}-{int(time.time() * 1000)}-{secrets.token_hex(8)}.{kind}"
    path = files_root() / name
    with open(path, "xb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return name


def file_path(name):
    """The stored file for a download name; names that are not ours or escape MEDIA_ROOT are refused."""
    if not name:
        raise InvalidParam.missing("fileName")
    if not SAFE_NAME.match(name):
        raise InvalidParam.field("fileName", "文件名不合法")
    root = files_root()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise InvalidParam.field("fileName", "文件名不合法")
    if not path.is_file():
        raise NotFound("文件不存在")
    return path


def is_public(name):
    return name.startswith(PUBLIC_PREFIX)


def content_type_of(name):
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
