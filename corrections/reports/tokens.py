"""What identifies a report to the people who hold it: its reference, the reader's private status link, and the
keyed hash of the client that sent it.

Only hashes are stored: the status token is derived from the report's nonce and the secret key, and the
database keeps the token's hash (text.hash_token) and the client's keyed hash, never a raw address.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for

from corrections.models import Report, utcnow

# Crockford's alphabet: no I, L, O or U to misread over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
REFERENCE = re.compile(f"R-[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}")


def reference_of(bits: int) -> str:
    """The reference spelt by 30 bits, five per character (the alphabet has 32 letters)."""
    return "R-" + "".join(REFERENCE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(REFERENCE_LENGTH))


def new_reference() -> str:
    return reference_of(secrets.randbits(5 * REFERENCE_LENGTH))


def is_reference(text: str) -> bool:
    """Whether the text is a report's reference and nothing else."""
    return REFERENCE.fullmatch(text) is not None


@dataclass(frozen=True)
class Receipt:
    """What the reader is given as soon as a report is accepted: its reference and the nonce of its status link.

    The nonce is the reference (without "R-"), a dot and 128 random bits, so the token made from it
    (status_token) names the report's reference and can be checked with the secret key alone: a reader whose
    report still waits in one server's spool (spool.py) is told so by any server, database or not.
    """

    reference: str
    nonce: str
    received_at: datetime

    @property
    def token(self) -> str:
        return status_token(self.nonce)


def receipt_for(reference: str, secret: bytes, received_at: datetime) -> Receipt:
    """The receipt of the report with this reference, its nonce made with `secret` (16 random bytes)."""
    return Receipt(reference, f"{reference.removeprefix('R-')}.{_b64(secret)}", received_at)


def new_receipt(received_at: datetime | None = None) -> Receipt:
    """A new report's receipt; `received_at` (default now) is when it reached us: its clocks run from then."""
    return receipt_for(new_reference(), secrets.token_bytes(16), received_at or utcnow())


def _key_digest(message: str) -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def status_token(nonce: str) -> str:
    """The reader's private status link token, derived from the report's nonce and the secret key.

    Derived rather than stored, so an outcome e-mail can carry the link while the database holds
    only its hash; changing the secret key changes every link. A receipt's nonce (with a dot) gives
    the nonce and a 128-bit keyed MAC of it; an older report's 32 hex digits give a keyed hash of them.
    """
    if "." in nonce:
        return f"{nonce}.{_b64(_key_digest(f'report-receipt:{nonce}')[:16])}"
    return _b64(_key_digest(f"report-status:{nonce}"))


def receipt_reference(token: str) -> str | None:
    """The reference a genuine receipt token names, checked without the database; None for anything else."""
    nonce, _, _ = token.rpartition(".")
    # compare_digest takes ASCII text only; a genuine token is ASCII.
    if ("." not in nonce or len(token) > 100 or not token.isascii()
            or not hmac.compare_digest(status_token(nonce), token)):
        return None
    return "R-" + nonce.partition(".")[0]


def status_url(report: Report) -> str | None:
    """The absolute link to the reader's status page, or None for a report without a nonce."""
    if not report.token_nonce:
        return None
    return url_for("public.report_status", token=status_token(report.token_nonce), _external=True)


def client_hash(address: str, key: str) -> str:
    """A keyed hash of the client address, so raw addresses are never stored."""
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()
