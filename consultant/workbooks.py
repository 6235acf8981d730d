"""Files the workspace builds: the built-in import template and the zip of several templates."""

import io
import zipfile
from functools import lru_cache

from openpyxl import Workbook

from .fields import IMPORT_COLUMNS

BUILTIN_TEMPLATE = "访谈记录导入模板.xlsx"
EXAMPLE_ROW = [
    "张三",
    "男",
    "S2024001",
    "华东师范大学附属中学",
    "高一",
    "3班",
    "个体访谈",
    "2026-09-01",
    "14:00",
    "50分钟",
    "已完成",
    "情绪低落，睡眠不佳",
    "轻度焦虑",
    "两周后复访",
    "持续关注睡眠",
    "无",
    "李老师",
    "否",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS_TYPE = "application/vnd.ms-excel"


@lru_cache(maxsize=1)
def builtin_template_bytes():
    """The import columns as a workbook with one example row (built once per process)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "访谈记录"
    sheet.append([title for title, _, _ in IMPORT_COLUMNS])
    sheet.append(EXAMPLE_ROW)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def zip_files(files):
    """[(name, bytes)] as one zip."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return output.getvalue()


def content_type_of(name):
    return XLSX_TYPE if name.lower().endswith(".xlsx") else XLS_TYPE
