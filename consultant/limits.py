"""The workspace's limits and formats, named once (seed 001 and CONTRACT §4, §9)."""

MAX_ID = 2**63 - 1  # ids are PostgreSQL bigints: a larger one is a 400, not a database error
MAX_RECORD_COUNT = 2_147_483_647  # InterviewRecord.count is a 32-bit integer column
MIB = 1024 * 1024
UPLOAD_MAX_BYTES = 5 * MIB  # spreadsheets and case-file images
MAX_PROBLEMS = 500  # problems listed in one import answer

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
TIME_INPUT_FORMATS = ("%H:%M", "%H:%M:%S")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
