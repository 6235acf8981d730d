"""The operators' Django admin goes through the same services as the API."""

import pytest

from conversations.models import Conversation
from tests.helpers import put_on_duty, result_of


@pytest.mark.django_db
def test_disabling_in_the_admin_form_ends_open_conversations(client, sysadmin, visitor, counselor, as_user):
    put_on_duty(counselor)
    result_of(as_user(visitor).put("/conversation", {"counselor": counselor.id}, format="json"))
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    url = f"/admin/users/user/{counselor.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name != "supervisors"
    }
    data.update(enabled="", institution=counselor.institution_id, max_consults=5)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    counselor.refresh_from_db()
    assert counselor.enabled is False
    assert Conversation.objects.get().status == "FINISHED"
