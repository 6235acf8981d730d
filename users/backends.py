"""Django admin sign-in: operators type the plain password; the stored hash is over its md5 hex."""

from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import md5_hex


class PlainPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(md5_hex(password))
            return None
        if user.check_password(md5_hex(password)) and self.user_can_authenticate(user):
            return user
        return None
