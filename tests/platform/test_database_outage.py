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
