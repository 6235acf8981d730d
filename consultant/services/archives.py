"""Case files: archives (one student's file, `/interview/records*`) and their records (one interview
each, `/interview/records/profile*`), seed 001 咨询档案."""

from django.db import transaction

from hotline.limits import IMAGE_MAX_BYTES
from messages import files
from users.audit import audit_record
from users.scoping import access

from ..fields import ARCHIVE_FIELDS, RECORD_FIELDS, UPDATABLE_RECORD_FIELDS
from ..models import Archive, InterviewRecord
from ..storage import staged_files


def archive_create(*, actor, data):
    """A new archive owned by the caller."""
    return Archive.objects.create(consultant=actor, **{name: data.get(name) or "" for name in ARCHIVE_FIELDS})


def archive_delete(*, actor, archive_id, ip=""):
    """The archive and all its records go, as the seed says; the audit entry keeps who, when and what."""
    with transaction.atomic():
        archive = access(actor, Archive.objects.all(), archive_id, for_update=True, message="档案不存在")
        record_ids = list(archive.records.values_list("pk", flat=True))
        audit_record(
            actor=actor,
            action="archive.delete",
            object_type="archive",
            object_ids=[archive.pk],
            detail={"std_name": archive.std_name, "std_school": archive.std_school, "records": record_ids},
            ip=ip,
        )
        archive.delete()


def _record_values(data, names):
    return {RECORD_FIELDS[name]: data[name] for name in names if name in data and name != "count"}


def _images_store(staged, *, owner, uploads, field, link):
    """Store each image (checked by content) for this write; answers their URLs."""
    urls = []
    for upload in uploads:
        name = files.file_store(
            owner=owner, upload=upload, field=field, kinds=files.IMAGE_KINDS, max_bytes=IMAGE_MAX_BYTES
        )
        staged.saved_elsewhere(lambda name=name: files.file_path(name).unlink(missing_ok=True))
        urls.append(link(name))
    return urls


def record_create(*, actor, archive_id, data, signatures=(), attachments=(), link):
    """A record of one of the caller's archives, numbered after the archive's records unless `count` is
    given. The archive row is locked so two creations never take the same number."""
    with staged_files() as staged:
        archive = access(actor, Archive.objects.all(), archive_id, for_update=True, message="档案不存在")
        signature = _images_store(staged, owner=actor, uploads=signatures, field="signatureImage", link=link)
        attach_urls = _images_store(staged, owner=actor, uploads=attachments, field="attachImages", link=link)
        return InterviewRecord.objects.create(
            archive=archive,
            count=data.get("count") or (archive.records.count() + 1),
            signature_image=signature[0] if signature else data.get("signatureImageUrl", ""),
            attach_images=attach_urls,
            **_record_values(data, RECORD_FIELDS),
        )


def record_update(*, actor, record_id, data, signatures=(), attachments=(), link):
    """Only the fields the seed lists for update; the basic ones are ignored. Images sent replace the
    stored ones."""
    with staged_files() as staged:
        record = access(
            actor, InterviewRecord.objects.all(), record_id, for_update=True, message="咨询记录不存在"
        )
        for attribute, value in _record_values(data, UPDATABLE_RECORD_FIELDS).items():
            setattr(record, attribute, value)
        signature = _images_store(staged, owner=actor, uploads=signatures, field="signatureImage", link=link)
        attach_urls = _images_store(staged, owner=actor, uploads=attachments, field="attachImages", link=link)
        if signature:
            record.signature_image = signature[0]
        if attach_urls:
            record.attach_images = attach_urls
        record.save()
    return record
