"""Voice and image files that chat messages link to (`/file/upload`, `/file/download`), and the
short-lived signed links that let a media player fetch one without an access token (CONTRACT §11)."""

import re
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import puremagic
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from hotline.api.errors import InvalidParam, NotFound, PayloadTooLarge
from hotline.limits import CHAT_FILE_MAX_BYTES, MIB

from .models import ChatFile

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
    try:
        ChatFile.objects.create(name=name, uploader=owner)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
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


# ---- signed download links ------------------------------------------------------------------------------

LINK_SALT = "hotline.messages.files.download-link"
DOWNLOAD_PATH = "/file/download"
# A download link inside any text: the path, then a query string naming the file somewhere in it.
_DOWNLOAD_LINK = re.compile(r"/file/download\?[^\s\"'<>#]*")
# Query parameters a handed-out link never carries from elsewhere: an access token (old clients put it
# into URLs) and a previous link's signature.
_EXPIRES = re.compile(r"[0-9]{1,12}")  # epoch seconds (ASCII digits only: "²" is a digit to str.isdigit)
_CREDENTIAL_PARAMS = frozenset({"token", "access_token", "expires", "signature"})


def link_signature(name, expires):
    """HMAC-SHA256 of the file name and expiry, keyed by a key derived from SECRET_KEY for this purpose."""
    return salted_hmac(LINK_SALT, f"{name}\n{expires}", algorithm="sha256").hexdigest()


def signed_query(name, *, now=None):
    """The query string of a download link for `name` valid FILE_LINK_MINUTES from now."""
    expires = int(now if now is not None else time.time()) + settings.FILE_LINK_MINUTES * 60
    return urlencode({"fileName": name, "expires": expires, "signature": link_signature(name, expires)})


def link_is_valid(name, expires, signature):
    """Whether `expires` + `signature` were made by `signed_query` for this very file and have not expired."""
    if not isinstance(expires, str) or not isinstance(signature, str) or not _EXPIRES.fullmatch(expires):
        return False
    if int(expires) < time.time():
        return False
    return constant_time_compare(link_signature(name, expires), signature)


def linked_file_names(value):
    """The stored (non-public) file names that download links inside a message body name."""
    found = set()
    for text in _strings(value):
        if DOWNLOAD_PATH not in text:
            continue
        for match in _DOWNLOAD_LINK.finditer(text):
            name = _file_name_of(match.group(0))
            if name and SAFE_NAME.match(name) and not is_public(name):
                found.add(name)
    return found


def sign_file_links(value):
    """`value` (a message payload: dicts, lists, strings) with every download link of a stored file
    replaced by a freshly signed one, and any access token or old signature removed from every link."""
    if isinstance(value, dict):
        return {key: sign_file_links(item) for key, item in value.items()}
    if isinstance(value, list):
        return [sign_file_links(item) for item in value]
    if isinstance(value, str) and DOWNLOAD_PATH in value:
        return _DOWNLOAD_LINK.sub(lambda match: _relinked(match.group(0), sign=True), value)
    return value


def strip_link_credentials(text):
    """A text whose download links carry neither an access token nor a signature (for exports, which
    outlive any signed link: their readers download with their own Bearer token)."""
    if DOWNLOAD_PATH not in text:
        return text
    return _DOWNLOAD_LINK.sub(lambda match: _relinked(match.group(0), sign=False), text)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _file_name_of(link):
    for key, item in parse_qsl(link.partition("?")[2], keep_blank_values=True):
        if key == "fileName":
            return item
    return None


def _relinked(link, *, sign):
    path, _, query = link.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(key, item) for key, item in pairs if key not in _CREDENTIAL_PARAMS]
    name = next((item for key, item in kept if key == "fileName"), None)
    if sign and name and SAFE_NAME.match(name) and not is_public(name):
        rest = [(key, item) for key, item in kept if key != "fileName"]
        return f"{path}?{signed_query(name)}" + (f"&{urlencode(rest)}" if rest else "")
    if len(kept) == len(pairs):
        return link  # nothing to remove: leave the text exactly as the sender wrote it
    return f"{path}?{urlencode(kept)}"
