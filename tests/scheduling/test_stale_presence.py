"""Stale presence (scheduling/tasks.py, run by the worker every PRESENCE_STALE_CRON): a Login older than a
UserSig's life plus a grace period is set offline, so a lost Logout callback does not keep a counsellor
shown online; fresh logins, and a Login arriving after the pass, stay online."""

import time
from datetime import timedelta

from django.utils import timezone

from scheduling.models import Presence
from scheduling.services import PRESENCE_STALE_GRACE
from scheduling.tasks import expire_stale_presence
from tests.helpers import make_user, put_on_duty, result_of
from tests.messages.helpers import OK, post_callback
from tests.scheduling.helpers import theday
from users.models import UserType

TASK = "scheduling.expire_stale_presence"


def state_change(anon, identifier, action, event_ms):
    body = {
        "CallbackCommand": "State.StateChange",
        "EventTime": event_ms,
        "Info": {"Action": action, "To_Account": identifier, "Reason": ""},
    }
    assert post_callback(anon, body, command="State.StateChange").json() == OK


def age(identifier, seconds):
    Presence.objects.filter(identifier=identifier).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


def online_ids(client):
    return [row["userId"] for row in result_of(theday(client, state="online"))]


def run_pass(job_queue):
    expire_stale_presence.defer(timestamp=int(time.time()))
    job_queue.run()
    # The worker's scheduler may add this period's own job beside the one deferred here.
    statuses = {job.status for job in job_queue.jobs(TASK)}
    return statuses


def test_a_login_older_than_a_usersig_is_set_offline_by_the_worker(
    job_queue, tim, settings, anon, as_user, ecnu, visitor, counselor
):
    settings.USERSIG_EXPIRE_SECONDS = 3600
    fresh = make_user(UserType.COUNSELOR, inst=ecnu, username="fresh_login")
    put_on_duty(counselor, fresh)
    now_ms = int(time.time() * 1000)
    state_change(anon, counselor.username, "Login", now_ms)
    state_change(anon, fresh.username, "Login", now_ms)
    age(counselor.username, 3600 + PRESENCE_STALE_GRACE.total_seconds() + 60)  # its Logout was lost
    age(fresh.username, 3600 - 60)
    assert sorted(online_ids(as_user(visitor))) == sorted([counselor.id, fresh.id])

    assert run_pass(job_queue) == {"succeeded"}
    assert online_ids(as_user(visitor)) == [fresh.id]
    assert Presence.objects.get(identifier=counselor.username).action == "Stale"

    # The counsellor signs in again: the next Login wins as usual.
    state_change(anon, counselor.username, "Login", now_ms + 1000)
    assert sorted(online_ids(as_user(visitor))) == sorted([counselor.id, fresh.id])


def test_a_pass_with_nothing_stale_changes_nothing(job_queue, tim, anon, counselor):
    state_change(anon, counselor.username, "Login", int(time.time() * 1000))
    before = Presence.objects.get(identifier=counselor.username).updated_at
    assert run_pass(job_queue) == {"succeeded"}
    presence = Presence.objects.get(identifier=counselor.username)
    assert presence.online and presence.updated_at == before
