"""The case files' field vocabulary: API names of archives and records, and the import columns."""

ARCHIVE_FIELDS = [
    "std_name",
    "std_grade",
    "std_class",
    "std_school",
    "interview_status",
    "interview_type",
    "doctor_evaluation",
    "follow_up_plan",
]
# API name -> model attribute of a record
RECORD_FIELDS = {
    "count": "count",
    "name": "name",
    "gender": "gender",
    "studentId": "student_id",
    "school": "school",
    "grade": "grade",
    "class": "class_name",
    "date": "date",
    "time": "time",
    "duration": "duration",
    "visitStatus": "visit_status",
    "description": "description",
    "doctorEvaluation": "doctor_evaluation",
    "followUpPlan": "follow_up_plan",
    "nextVisitPlan": "next_visit_plan",
    "crisisStatus": "crisis_status",
    "consultantName": "consultant_name",
    "isThirdPartyEvaluation": "is_third_party_evaluation",
}
BASIC_RECORD_FIELDS = {
    "count",
    "name",
    "gender",
    "studentId",
    "school",
    "grade",
    "class",
    "date",
    "time",
    "duration",
}
UPDATABLE_RECORD_FIELDS = [name for name in RECORD_FIELDS if name not in BASIC_RECORD_FIELDS]
INTAKE_TEXT_FIELDS = ["education", "occupation", "maritalStatus", "referral", "complaint", "goal"]
EMERGENCY_CONTACT_FIELDS = ("name", "relationship", "phone")

# (column title, record/archive key, required): the built-in template's layout, also the import's
IMPORT_COLUMNS = [
    ("学生姓名", "std_name", True),
    ("性别", "gender", False),
    ("学籍号", "studentId", False),
    ("学校", "std_school", False),
    ("年级", "std_grade", False),
    ("班级", "std_class", False),
    ("访谈类型", "interview_type", False),
    ("访谈日期", "date", True),
    ("访谈时间", "time", False),
    ("访谈时长", "duration", False),
    ("访谈状态", "visitStatus", False),
    ("客观描述", "description", False),
    ("医生评定", "doctorEvaluation", False),
    ("后续计划", "followUpPlan", False),
    ("下次访谈计划", "nextVisitPlan", False),
    ("危机状态", "crisisStatus", False),
    ("咨询师姓名", "consultantName", False),
    ("是否他评", "isThirdPartyEvaluation", False),
]
# the stored columns' lengths, so an over-long cell is a listed problem, not a database error
IMPORT_LIMITS = {
    "std_name": 64,
    "gender": 2,
    "studentId": 64,
    "std_school": 128,
    "std_grade": 64,
    "std_class": 64,
    "interview_type": 64,
    "duration": 32,
    "visitStatus": 64,
    "crisisStatus": 64,
    "consultantName": 64,
}
