"""`seed_demo` shows quick replies and consent records (issue 15 item 9)."""

import pytest
from django.core.management import call_command

from quickreplies.models import QuickReply
from tests.helpers import md5, result_of
from users.models import ConsentRecord


@pytest.mark.django_db
def test_seed_demo_has_quick_replies_and_consent_records(anon, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (QuickReply.objects.count(), ConsentRecord.objects.count())
    call_command("seed_demo")
    assert (QuickReply.objects.count(), ConsentRecord.objects.count()) == counts
    login = {"username": "liMeijin", "password": md5("hotline123")}
    pair = result_of(anon.post("/auth/login", login, format="json"))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    scopes = [reply["scope"] for reply in result_of(anon.get("/quickreply"))]
    assert scopes == ["INSTITUTION"] * 3 + ["PERSONAL"] * 2
    guarded = ConsentRecord.objects.exclude(guardian_name="").get()
    assert guarded.user.age == 13 and guarded.guardian_phone == "13912340013"
    assert ConsentRecord.objects.filter(guardian_name="").count() == 2
