"""Reading uploaded spreadsheets (.xlsx with openpyxl, .xls with xlrd) defensively: size, type by
content, zip-bomb ratio, row limit. Anything else is a -2 answer naming the field, never a 500."""

import io
import logging
import zipfile
from datetime import date, datetime, time

import xlrd
from openpyxl import load_workbook

from hotline.api.errors import InvalidParam

from .limits import DATE_FORMAT, MIB, UPLOAD_MAX_BYTES

logger = logging.getLogger(__name__)
MAX_BYTES = UPLOAD_MAX_BYTES
MAX_UNCOMPRESSED = 50 * MIB
MAX_RATIO = 100
MAX_ENTRIES = 2000
MAX_ROWS = 5000
MAX_COLUMNS = 64  # a sheet's declared width is not trusted (a tiny file can declare 16 384 columns)
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def spreadsheet_kind(head):
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    return None


def read_upload(upload, field):
    if upload is None:
        raise InvalidParam.missing(field)
    if upload.size > MAX_BYTES:
        raise InvalidParam.field(field, f"文件不能超过{MAX_BYTES // MIB}MB")
    data = upload.read()
    kind = spreadsheet_kind(data[:8])
    if kind is None:
        raise InvalidParam.field(field, "只接受 .xlsx 或 .xls 表格文件")
    return kind, data


def _check_zip(data, field):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidParam.field(field, "不是有效的 .xlsx 文件") from None
    entries = archive.infolist()
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total > MAX_RATIO * max(len(data), 1):
        raise InvalidParam.field(field, "文件解压后体积异常，已拒绝")


def _clean(value):
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _xlsx_rows(data, field):
    _check_zip(data, field)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True):
            rows.append([_clean(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                raise InvalidParam.field(field, f"行数不能超过{MAX_ROWS}")
        workbook.close()
        return rows
    except InvalidParam:
        raise
    except Exception:  # noqa: BLE001 - a parser of untrusted bytes may raise anything; the answer is -2
        logger.info("rejected an unreadable .xlsx upload", exc_info=True)
        raise InvalidParam.field(field, "不是有效的 .xlsx 文件") from None


def _xls_rows(data, field):
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
        if sheet.nrows > MAX_ROWS + 1:
            raise InvalidParam.field(field, f"行数不能超过{MAX_ROWS}")
        rows = []
        for index in range(sheet.nrows):
            values = []
            for cell in sheet.row(index)[:MAX_COLUMNS]:
                if cell.ctype == xlrd.XL_CELL_DATE:
                    values.append(_clean(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_EMPTY:
                    values.append(None)
                else:
                    values.append(_clean(cell.value))
            rows.append(values)
        return rows
    except InvalidParam:
        raise
    except Exception:  # noqa: BLE001 - xlrd raises CompDocError, AssertionError, struct.error, ...
        logger.info("rejected an unreadable .xls upload", exc_info=True)
        raise InvalidParam.field(field, "不是有效的 .xls 文件") from None


def read_table(upload, field):
    """The first sheet's non-empty rows as (spreadsheet row number, cleaned values), header included."""
    kind, data = read_upload(upload, field)
    rows = _xlsx_rows(data, field) if kind == "xlsx" else _xls_rows(data, field)
    return [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any(value not in (None, "") for value in row)
    ]


def as_date(value):
    """A date cell or a 'YYYY-MM-DD' text, else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), DATE_FORMAT).date()
        except ValueError:
            return None
    return None
