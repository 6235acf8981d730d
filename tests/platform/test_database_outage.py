"""When the database connection dies, a request answers 503/-1 in the envelope (no stack trace, nothing
written) and the next request connects afresh by itself."""

import pytest
from django.db import connection

from tests.helpers import error_of, md5, result_of
from users.models import User


def kill_this_connection():
    """`pg_terminate_backend` on the connection the requests use, from a second connection."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_dead_database_connection_answers_503_and_recovers(anon, counselor):
    kill_this_connection()
    error_of(anon.get("/health"), 503, -1)
    assert result_of(anon.get("/health")) == {"database": "ok"}
    body = {"username": counselor.username, "password": md5("secret123")}
    kill_this_connection()
    assert error_of(anon.post("/auth/login", body, format="json"), 503, -1) == "服务暂时不可用，请稍后重试"
    assert result_of(anon.post("/auth/login", body, format="json"))["access"]


@pytest.mark.django_db(transaction=True)
def test_a_write_cut_off_by_the_outage_leaves_nothing_behind(as_user, inst_admin):
    client = as_user(inst_admin)
    kill_this_connection()
    body = {"username": "cutoff", "password": md5("pw-123456"), "role": "ROLE_SUPERVISOR"}
    error_of(client.put("/user/ms", body, format="json"), 503, -1)
    assert not User.objects.filter(username="cutoff").exists()


def set_database_down(down):
    """Refuse (or allow again) every new connection to the test database and end the open ones: the
    database is down for the app until it comes back, as in a restart or failover."""
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    name = connection.settings_dict["NAME"]
    admin = connection.get_new_connection(params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if down else "true"}')
        if down:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_down_everything_answers_503_and_health_recovers_by_itself(
    anon, as_user, inst_admin, counselor
):
    admin_client = as_user(inst_admin)
    login = {"username": counselor.username, "password": md5("secret123")}
    new_staff = {"username": "during_outage", "password": md5("pw-123456"), "role": "ROLE_SUPERVISOR"}
    set_database_down(True)
    try:
        for _ in range(3):  # not only the first request: every one until the database is back
            error_of(anon.get("/health"), 503, -1)
        error_of(anon.post("/auth/login", login, format="json"), 503, -1)
        error_of(admin_client.put("/user/ms", new_staff, format="json"), 503, -1)
        body = anon.post(
            "/api/consultant/auth/login",
            {"loginType": "password", "accountType": "email", "account": "x@example.com", "credential": "x"},
            format="json",
        ).json()
        assert body["code"] == -1 and body["data"] is None
    finally:
        set_database_down(False)
    assert result_of(anon.get("/health")) == {"database": "ok"}  # no restart: the next request reconnects
    assert result_of(anon.post("/auth/login", login, format="json"))["access"]
    assert not User.objects.filter(username="during_outage").exists()
