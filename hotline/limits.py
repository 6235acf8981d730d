"""Named limits and formats shared by every app: change a bound here, not in the module that uses it.

Plain values only (no Django imports), so settings can read them too."""

MIB = 1024 * 1024

# ---- request bodies and uploads -------------------------------------------------------------------
REQUEST_MEMORY_MAX_BYTES = 2 * MIB  # Django keeps up to this much of a body in memory
CHAT_FILE_MAX_BYTES = 20 * MIB  # voice and image files that chat messages link to (/file/upload)
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # room for multipart boundaries and headers around one file
IMAGE_MAX_BYTES = 5 * MIB  # avatars and case-file images
SPREADSHEET_MAX_BYTES = 5 * MIB  # record and schedule imports, templates
MAX_FILES_PER_REQUEST = 10  # a record's signature and attachments, several templates
# Largest body an endpoint accepts, decided from Content-Length before anything is read or spooled
# (hotline.api.middleware.BodySizeMiddleware); every other endpoint takes REQUEST_MEMORY_MAX_BYTES.
UPLOAD_BODY_LIMITS = (
    ("/file/upload", CHAT_FILE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/updateAvatar", IMAGE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/interview/records/profile/create", MAX_FILES_PER_REQUEST * IMAGE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/interview/records/profile/update", MAX_FILES_PER_REQUEST * IMAGE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/interview/upload/template", MAX_FILES_PER_REQUEST * SPREADSHEET_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/interview/upload/records", SPREADSHEET_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
    ("/schedule/upload", SPREADSHEET_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
)

# ---- spreadsheets (a declared size is never trusted) ---------------------------------------------
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 50 * MIB  # zip bomb: all entries together
SPREADSHEET_MAX_RATIO = 100  # zip bomb: uncompressed size over file size
SPREADSHEET_MAX_ENTRIES = 2000
SPREADSHEET_MAX_ROWS = 5000
SPREADSHEET_MAX_COLUMNS = 64  # a tiny file can declare 16 384 columns

# ---- numbers ------------------------------------------------------------------------------------------
BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint: the workspace's integer ids, IM sequence numbers
MAX_MS = 253402271999998  # 9999-12-31 in Asia/Shanghai, minus a millisecond for inclusive bounds
LEAVE_MIN_YEAR, LEAVE_MAX_YEAR = 2000, 2100
# A duty day (PUT /arrange, /arrange/theday) lies in 2000-01-01 … 2099-12-31, Asia/Shanghai: a far day
# overflowed the day arithmetic and filled the table with rows nobody needs.
DUTY_MIN_MS = 946656000000  # 2000-01-01 00:00 +08:00
DUTY_MAX_MS = 4102415999999  # 2099-12-31 23:59:59.999 +08:00
INT32_MAX = 2_147_483_647  # 32-bit integer columns (an interview record's count)
IMPORT_MAX_PROBLEMS = 500  # problems listed in one spreadsheet import's answer

JSON_MAX_DEPTH = 32  # nesting of a request body's JSON (the deepest body any endpoint takes is 3)

# ---- lists --------------------------------------------------------------------------------------------
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_BATCH_EXPORT = 200  # conversations in one /conversation/batchexport
QUICK_REPLIES_MAX = 200  # quick replies per owner and per institution (GET /quickreply is one unpaged list)

# ---- workspace date and time formats (CONTRACT §4) ---------------------------------------------------
DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TIME_INPUT_FORMATS = [TIME_FORMAT, "%H:%M:%S"]
LEAVE_INPUT_FORMATS = (DATETIME_FORMAT, "%Y-%m-%d %H:%M")  # a bare date is read separately
