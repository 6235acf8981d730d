"""Files written during a write: a failed request leaves none behind, a committed row always has its
file. Files are saved before the rows that name them and removed again when the block raises."""

from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction


class StagedFiles:
    """Collects how to undo each file saved inside `staged_files()`."""

    def __init__(self):
        self._undo = []

    def save(self, name, data, storage=default_storage):
        """Save bytes under `name` in `storage`; answers the stored name."""
        stored = storage.save(name, ContentFile(data))
        self._undo.append(lambda: storage.delete(stored))
        return stored

    def saved_elsewhere(self, undo):
        """A file another app stored for this write; `undo` removes it."""
        self._undo.append(undo)

    def rollback(self):
        for undo in reversed(self._undo):
            undo()


@contextmanager
def staged_files():
    """One transaction whose saved files are removed again if anything inside raises."""
    staged = StagedFiles()
    try:
        with transaction.atomic():
            yield staged
    except BaseException:
        staged.rollback()
        raise


def delete_after_commit(name, storage=default_storage):
    """A file replaced by this write goes once the write is committed (never before)."""
    transaction.on_commit(lambda: storage.delete(name))


def template_path(institution_id, stored_name):
    """Where a template's bytes live in the default storage."""
    return f"templates/{institution_id}/{stored_name}"
