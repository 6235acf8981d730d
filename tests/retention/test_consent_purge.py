"""Retention anonymises a visitor's consent records as erasure does: version and time stay as proof, the
address and the guardian go (docs/decisions.md, "Quick replies and consent records")."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from users.models import ConsentRecord


@pytest.mark.django_db
def test_purge_keeps_consent_version_and_time_and_clears_guardian_and_address(
    settings, aged_session, new_visitor
):
    settings.RETENTION_DAYS = 1
    visitor = new_visitor()
    aged_session(visitor, days_ago=3)
    record = ConsentRecord.objects.create(
        user=visitor, version=1, ip="198.51.100.7", guardian_name="王芳", guardian_phone="13812345678"
    )
    accepted = timezone.now() - timedelta(days=3)
    ConsentRecord.objects.filter(pk=record.pk).update(accepted_at=accepted)
    call_command("purge_expired", stdout=io.StringIO())
    visitor.refresh_from_db()
    assert visitor.erased_at is not None
    record.refresh_from_db()
    assert (record.version, record.accepted_at) == (1, accepted)
    assert (record.ip, record.guardian_name, record.guardian_phone) == ("", "", "")
