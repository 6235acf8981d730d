"""Settings of the bench server: production settings plus the two ceiling routes (bench/urls.py)."""

from hotline.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
