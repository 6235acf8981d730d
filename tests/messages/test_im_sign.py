"""IM UserSig (seed §37) against the published TLSSigAPIv2 vector."""

import time

import pytest

from messages.usersig import decode_usersig, gen_usersig, verify_usersig
from tests.helpers import error_of, result_of

KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"


def test_signature_matches_the_published_vector():
    sig = gen_usersig("xiaojun", 1400000000, KEY, 15552000, now=1700000000)
    document = decode_usersig(sig)
    assert document["TLS.sig"] == "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4="
    assert document["TLS.ver"] == "2.0" and document["TLS.sdkappid"] == 1400000000
    assert not set("+/=") & set(sig)


@pytest.mark.django_db
def test_im_sign_answers_a_usersig_for_the_caller(as_user, counselor, settings):
    settings.TIM_SDKAPPID = "1400000000"
    settings.TIM_SECRET_KEY = KEY
    sig = result_of(as_user(counselor).post("/im/sign"))
    valid, document = verify_usersig(sig, KEY)
    assert valid and document["TLS.identifier"] == "liMeijin"
    assert document["TLS.expire"] == 86400 and abs(document["TLS.time"] - time.time()) < 60


@pytest.mark.django_db
def test_im_sign_without_settings_is_a_clear_error(as_user, counselor, settings, anon):
    settings.TIM_SDKAPPID = ""
    assert "TIM_SDKAPPID" in error_of(as_user(counselor).post("/im/sign"), 503, -1)
    error_of(anon.post("/im/sign"), 401, 401)


@pytest.mark.django_db
def test_im_sign_stops_when_the_approval_is_withdrawn(as_user, counselor, inst_admin, tim):
    """CONTRACT §11: withdrawing a workspace approval stops /im/sign for the account (issue 12)."""
    result_of(as_user(inst_admin).post(f"/user/approve/{counselor.pk}?approved=false"))
    assert error_of(as_user(counselor).post("/im/sign"), 403, -5) == "账号待审核"
    result_of(as_user(inst_admin).put(f"/user/approve/{counselor.pk}"))
    assert verify_usersig(result_of(as_user(counselor).post("/im/sign")), KEY)[0]
