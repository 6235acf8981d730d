"""Primary keys of the hotline's own objects (users, arrangements, conversations, evaluations, messages)."""

import uuid


def new_id():
    """32 lowercase hex characters, the id format of CONTRACT §4."""
    return uuid.uuid4().hex
