"""The ceilings every measured path is compared with, served by the same gunicorn and middleware.

- read: a bare Django view answering a constant JSON envelope (no database).
- write: a bare Django view doing what the IM callback must do at minimum, one INSERT committed before
  the answer, into the bench-only table `bench_ceiling_write` (created by bench/generate.py).
"""

import itertools
import os

from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

WRITE_TABLE = "bench_ceiling_write"
_ENVELOPE = {"code": 0, "message": "OK", "result": "ok"}
_TENCENT_OK = {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}
_counter = itertools.count()


def ceiling_read(request):
    return JsonResponse(_ENVELOPE)


@csrf_exempt
def ceiling_write(request):
    key = f"{os.getpid()}-{next(_counter)}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {WRITE_TABLE} (k, body) VALUES (%s, %s) ON CONFLICT (k) DO NOTHING",
            [key, request.body.decode("utf-8", "replace")],
        )
    return JsonResponse(_TENCENT_OK)
