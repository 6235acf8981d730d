"""The caller's work slots and leave periods (seed 001 排班管理); the duty rules live in
`scheduling.workspace`, which this module feeds with parsed input."""

from hotline.api.errors import InvalidParam
from scheduling import workspace


def work_day_set(*, actor, day, texts):
    """Overwrite the caller's work slots of one date with `texts` ("HH:MM-HH:MM"; [] clears them)."""
    workspace.work_slots_set(user=actor, day=day, slots=workspace.parse_slots(texts))


def _period(index, item):
    start = workspace.parse_leave_time(
        item["start_time"], f"stop_schedules[{index}].start_time", is_end=False
    )
    end = workspace.parse_leave_time(item["end_time"], f"stop_schedules[{index}].end_time", is_end=True)
    if end <= start:
        raise InvalidParam.field(f"stop_schedules[{index}]", "结束时间须晚于开始时间")
    return start, end


def leave_set(*, actor, items):
    """Overwrite the caller's leave periods with `items` ([{start_time, end_time}])."""
    periods = [_period(index, item) for index, item in enumerate(items)]
    workspace.leave_periods_set(user=actor, periods=periods)
