"""Small text rules shared by forms, imports and the API."""

import re
from urllib.parse import urlsplit

# NUL and other control characters break PostgreSQL text columns and terminals; tabs and newlines stay.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Normalise line endings and drop control characters."""
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)
