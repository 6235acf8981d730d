"""Shared helpers of the workspace tests: envelope assertions, request bodies, spreadsheet builders."""

import io
import re
from datetime import time

import xlwt
from django.core import mail
from openpyxl import Workbook

from consultant.fields import IMPORT_COLUMNS
from consultant.models import Order
from hotline.api.timeutil import today

W = "/api/consultant"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
TITLES = [title for title, _, _ in IMPORT_COLUMNS]


def last_code():
    """The code in the newest email sent through Django's test mail outbox."""
    return re.search(r"验证码是(\d{6})", mail.outbox[-1].body).group(1)


def order_body(**overrides):
    body = {
        "name": "张三",
        "age": "20",
        "gender": "男",
        "type": "在线咨询",
        "date": today().isoformat(),
        "time": "14:30",
        "contact": "13800000000",
        "key_word": ["焦虑", "失眠"],
    }
    body.update(overrides)
    return body


def make_order(
    user,
    *,
    name,
    contact="c",
    gender="男",
    age=20,
    kind="在线咨询",
    day=None,
    at=time(9),
    status="待接单",
    amount=0,
    committed=None,
):
    order = Order.objects.create(
        consultant=user,
        order_id=f"T{Order.objects.count()}{name}{contact}",
        name=name,
        age=age,
        gender=gender,
        type=kind,
        key_word=[],
        date=day or today(),
        time=at,
        contact=contact,
        status=status,
        amount=amount,
    )
    if committed is not None:
        Order.objects.filter(pk=order.pk).update(commit_time=committed)
    return order


def archive_body(**overrides):
    body = {
        "std_name": "张三",
        "std_grade": "高一",
        "std_class": "3班",
        "std_school": "华东师范大学附属中学",
        "interview_count": "0",
        "interview_status": "进行中",
        "interview_type": "个体访谈",
        "doctor_evaluation": "",
        "follow_up_plan": "",
    }
    body.update(overrides)
    return body


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xls_bytes(rows):
    book = xlwt.Workbook()
    sheet = book.add_sheet("s")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def import_row(name="李四", day="2026-09-01", **overrides):
    values = dict.fromkeys(TITLES, "")
    values.update(
        {
            "学生姓名": name,
            "访谈日期": day,
            "性别": "女",
            "学校": "一中",
            "年级": "高二",
            "班级": "1班",
            "访谈时间": "14:00",
            "危机状态": "无",
            "是否他评": "否",
        }
    )
    values.update(overrides)
    return [values[title] for title in TITLES]


xlsx = xlsx_bytes  # the name the import tests use


def set_day(ws, day, slots, user=None):
    body = {"year": day.year, "month": day.month, "date": day.day, "work_schedules": slots}
    return ws(f"{W}/schedule/work/update", body, user=user)


def ws_data(response, status=200):
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == 0 and "data" in body, body
    return body["data"]


def ws_error(response, status, code):
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == code and body["data"] is None, body
    return body["message"]
