from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"
    verbose_name = "用户与机构"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .adminsite import admin_login_failed, admin_login_succeeded

        user_logged_in.connect(admin_login_succeeded, dispatch_uid="users.audit.admin_login_succeeded")
        user_login_failed.connect(admin_login_failed, dispatch_uid="users.audit.admin_login_failed")
