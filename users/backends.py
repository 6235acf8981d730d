"""Django admin sign-in: operators type the plain password; the stored hash is over its md5 hex. The same
per-account and per-address throttle as the APIs applies, counted before the password is checked."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from hotline.api.client import client_ip
from hotline.api.errors import RateLimited

from . import throttling
from .models import User
from .services import md5_hex


class PlainPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else "unknown"
        try:
            throttling.attempt_begin(username, ip)
        except RateLimited:
            raise PermissionDenied from None  # stops Django trying other backends: the sign-in fails
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(md5_hex(password))
        elif user.check_password(md5_hex(password)) and self.user_can_authenticate(user):
            throttling.attempt_succeeded(username, ip)
            return user
        throttling.attempt_failed(username, ip)
        return None
