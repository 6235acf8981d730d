"""Personal data shaped text removed from free text that leaves the process (log lines' exception text,
error reports): database "Key (...)=(...)" values, mainland ID numbers, mobile numbers, e-mail addresses,
bearer tokens and `token=` query values. Kept free of Django imports: logging loads it early."""

import re

_PATTERNS = [
    (re.compile(r"(Key \([^)]*\)=\()[^)]*(\))"), r"\1[redacted]\2"),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"), "[id-number]"),
    (re.compile(r"(?<!\d)1\d{10}(?!\d)"), "[phone]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"), r"\1[token]"),
    (re.compile(r"(?i)(token=)[^&\s]+"), r"\1[token]"),
]


def redact(text):
    """`text` with the shapes above replaced; anything that is not a string is returned as it is."""
    if not isinstance(text, str):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
