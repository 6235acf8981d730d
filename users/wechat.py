"""Client for the WeChat mini-program server API at WECHAT_API_BASE (see shared/spec/vectors.md)."""

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import requests
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils import timezone

from hotline.api.errors import ApiError, InvalidParam, ProviderError, RateLimited

from .models import WechatAccessToken

logger = logging.getLogger(__name__)

ERROR_TEXT = {
    -1: "系统繁忙，请稍后再试",
    40001: "access_token 无效",
    40029: "code 无效",
    40163: "code 已被使用",
    45011: "调用太频繁，请稍后再试",
    40226: "高风险等级用户，小程序登录拦截",
    40013: "appid 无效",
    40125: "appsecret 无效",
}
# errcodes caused by what the client sent (a bad or reused code, a risky user): answered 400/-2.
CLIENT_ERRORS = {40029, 40163, 40226, 41008, 47001, 40037}
TOKEN_ERRORS = {40001, 42001, 40014}
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class WechatApp:
    appid: str
    secret: str
    institution_code: str


def configured_apps():
    apps = {}
    for entry in settings.WECHAT_APPS.split(","):
        parts = [part.strip() for part in entry.strip().split(":")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            continue
        institution = parts[2] if len(parts) > 2 and parts[2] else settings.DEFAULT_INSTITUTION
        apps[parts[0]] = WechatApp(parts[0], parts[1], institution)
    return apps


def app_for(appid):
    app = configured_apps().get(appid)
    if app is None:
        raise InvalidParam(f"未配置的小程序appid: {appid}")
    return app


class WechatError(ApiError):
    def __init__(self, errcode, errmsg, raw):
        text = ERROR_TEXT.get(errcode, errmsg)
        message = f"微信接口错误：错误代码：{errcode}, 错误信息：{text} · 微信原始报文：{raw}"
        if errcode in CLIENT_ERRORS:
            super().__init__(message, status=400, code=-2)
        elif errcode == 45011:
            super().__init__(message, status=RateLimited.status, code=RateLimited.code)
        else:
            super().__init__(message, status=502, code=-1)
        self.errcode = errcode


def _call(method, path, *, params=None, body=None):
    url = f"{settings.WECHAT_API_BASE}{path}"
    try:
        response = requests.request(
            method, url, params=params, json=body, timeout=settings.WECHAT_TIMEOUT_SECONDS
        )
        raw = response.text
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        # The exception's text holds the request URL and with it the app secret or access token.
        logger.warning("WeChat call %s failed: %s", path, type(exc).__name__)
        raise ProviderError("微信服务暂时不可用，请稍后再试") from None
    if not isinstance(data, dict):
        raise ProviderError("微信服务返回了无法识别的数据")
    errcode = data.get("errcode") or 0
    try:
        errcode = int(errcode)
    except (TypeError, ValueError):
        errcode = -1
    if errcode != 0:
        raise WechatError(errcode, str(data.get("errmsg", "")), raw)
    return data


def code_to_session(app, code):
    """jscode2session: exchange a wx.login code for openid and session_key."""
    data = _call(
        "GET",
        "/sns/jscode2session",
        params={
            "appid": app.appid,
            "secret": app.secret,
            "js_code": code,
            "grant_type": "authorization_code",
        },
    )
    if not data.get("openid") or not data.get("session_key"):
        raise ProviderError("微信登录返回缺少openid或session_key")
    return data


def _fetch_access_token(app):
    data = _call(
        "GET",
        "/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": app.appid, "secret": app.secret},
    )
    token = data.get("access_token")
    if not token:
        raise ProviderError("微信未返回access_token")
    expires_in = int(data.get("expires_in") or 7200)
    expires_at = timezone.now() + timedelta(seconds=expires_in) - TOKEN_REFRESH_MARGIN
    WechatAccessToken.objects.update_or_create(
        appid=app.appid, defaults={"token": token, "expires_at": expires_at}
    )
    return token


def access_token(app, *, force_refresh=False):
    """The app's access token, cached in the database and refreshed before it expires."""
    if not force_refresh:
        cached = WechatAccessToken.objects.filter(appid=app.appid, expires_at__gt=timezone.now()).first()
        if cached is not None:
            return cached.token
    return _fetch_access_token(app)


def phone_number_by_code(app, code):
    """getuserphonenumber: the newer phone-number API (a single-use code from the button)."""
    for attempt in range(2):
        token = access_token(app, force_refresh=attempt > 0)
        try:
            data = _call(
                "POST",
                "/wxa/business/getuserphonenumber",
                params={"access_token": token},
                body={"code": code},
            )
        except WechatError as exc:
            if exc.errcode in TOKEN_ERRORS and attempt == 0:
                continue
            raise
        info = data.get("phone_info") or {}
        watermark = info.get("watermark") or {}
        if watermark.get("appid") and watermark["appid"] != app.appid:
            raise InvalidParam("手机号数据的watermark与小程序appid不符")
        number = info.get("purePhoneNumber") or info.get("phoneNumber")
        if not number:
            raise ProviderError("微信未返回手机号")
        return number
    raise ProviderError("微信access_token刷新失败")


def _b64(value, field):
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParam.field(field, "不是合法的base64") from None


def decrypt_user_data(session_key, encrypted_data, iv, appid):
    """Decrypt encryptedData (AES-128-CBC, PKCS#7) with the stored session_key and check the watermark."""
    key = _b64(session_key, "session_key")
    iv_bytes = _b64(iv, "iv")
    ciphertext = _b64(encrypted_data, "encryptedData")
    if len(key) != 16:
        raise InvalidParam("微信会话密钥无效，请重新登录")
    if len(iv_bytes) != 16:
        raise InvalidParam.field("iv", "长度必须为16字节")
    if not ciphertext or len(ciphertext) % 16:
        raise InvalidParam.field("encryptedData", "长度不正确")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv_bytes)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        data = json.loads(plain.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InvalidParam("解密失败：encryptedData与iv不匹配或会话已过期，请重新登录") from None
    if not isinstance(data, dict):
        raise InvalidParam("解密失败：数据格式不正确")
    watermark = data.get("watermark") or {}
    if watermark.get("appid") != appid:
        raise InvalidParam("解密数据的watermark与小程序appid不符")
    return data
