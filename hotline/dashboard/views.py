"""The operators' dashboard: one admin page (/admin/dashboard/, linked from the admin index) for
superusers, system administrators and institution administrators (`users.adminsite.is_operator`), with
the figures scoped as the API's statistics are (`conversations.selectors`, `users.scoping`): an
institution administrator sees its institution only."""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from conversations.selectors import (
    median_wait_today,
    number_ranking,
    seven_day_counts,
    today_hourly_counts,
    waiting_now,
)
from hotline.api.timeutil import today
from users.adminsite import is_operator

from .charts import bar_chart, hbar_chart
from .selectors import alert_counts

TOP_COUNSELLORS = 10


def figures_for(actor):
    """Every figure the page shows, as plain values (the tests compare these with a known dataset)."""
    day = today()
    week = seven_day_counts(actor)
    return {
        "week": [(day - timedelta(days=6 - index), week[str(index + 1)]) for index in range(7)],
        "hours": [
            (hour, count) for hour, count in ((int(h), n) for h, n in today_hourly_counts(actor).items())
        ],
        "waiting": waiting_now(actor),
        "median_wait": median_wait_today(actor),
        "alerts": alert_counts(actor),
        "top": [(row["name"] or row["id"], row["number"]) for row in number_ranking(actor)[:TOP_COUNSELLORS]],
    }


def dashboard(request):
    if not is_operator(request.user):
        raise PermissionDenied
    figures = figures_for(request.user)
    charts = {
        "week": bar_chart([(f"{d:%m-%d}", n) for d, n in figures["week"]], label="近 7 天每日会话数"),
        "hours": bar_chart([(str(h), n) for h, n in figures["hours"]], label="今日每小时开始的会话数"),
        "top": hbar_chart(figures["top"], label="本月咨询师会话数排行"),
    }
    institution = None if request.user.is_system_admin else request.user.institution
    context = {
        **admin.site.each_context(request),
        "title": "运营仪表盘",
        "figures": figures,
        "charts": charts,
        "institution": institution,
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
