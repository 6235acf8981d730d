"""Calendar days and epoch milliseconds in Asia/Shanghai (CONTRACT §4)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def from_ms(millis):
    return datetime.fromtimestamp(millis / 1000, tz=SHANGHAI)


def local_date_of_ms(millis):
    return from_ms(millis).date()


def today():
    return timezone.now().astimezone(SHANGHAI).date()


def day_start(day):
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def day_bounds(day):
    start = day_start(day)
    return start, start + timedelta(days=1)
