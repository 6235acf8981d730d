"""users.scoping: rules by model label, deny by default."""

import pytest

from conversations.models import Conversation
from hotline.api.errors import NotFound
from messages.models import ImAccount
from tests.helpers import make_user
from users.models import User, UserType
from users.scoping import MANAGE, ScopeMissing, access, visible_to


@pytest.mark.django_db
def test_a_model_without_a_rule_is_refused_not_shown(counselor):
    with pytest.raises(ScopeMissing):
        visible_to(counselor, ImAccount.objects.all())


@pytest.mark.django_db
def test_an_anonymous_actor_sees_nothing(counselor):
    assert list(visible_to(None, User.objects.all())) == []
    assert list(visible_to(None, Conversation.objects.all())) == []


@pytest.mark.django_db
def test_institution_administrators_manage_their_institution_but_not_system_administrators(
    inst_admin, sysadmin, counselor, other_inst
):
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    managed = set(visible_to(inst_admin, User.objects.all(), purpose=MANAGE))
    assert counselor in managed and inst_admin not in managed
    assert sysadmin not in managed and stranger not in managed
    assert access(sysadmin, User.objects.all(), stranger.pk, purpose=MANAGE) == stranger
    with pytest.raises(NotFound):
        access(inst_admin, User.objects.all(), stranger.pk, purpose=MANAGE)
