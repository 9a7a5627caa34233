"""multipart/mixed bodies (RFC 2046) as xAPI uses them for attachments (Communication 1.5.2).

Parsing uses the standard library's MIME parser, which keeps binary parts byte for byte.
"""

from __future__ import annotations

import email.policy
import secrets
from collections.abc import Sequence
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser

from statements.attachments import AttachmentPart
from statements.errors import BadRequest

HASH_HEADER = "X-Experience-API-Hash"


def parse(content_type: str, body: bytes) -> tuple[bytes, list[AttachmentPart]]:
    """The statement JSON of the first part and the attachment parts after it."""
    if "boundary=" not in content_type:
        raise BadRequest("a multipart/mixed request needs a boundary parameter in Content-Type")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise BadRequest("the multipart/mixed body is malformed; check the boundary lines")
    parts = list(message.iter_parts())
    if not parts:
        raise BadRequest(
            "the multipart/mixed body has no parts; the first must hold the statements"
        )
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise BadRequest("the first part of a multipart/mixed request must be application/json")
    attachments = []
    for index, part in enumerate(parts[1:], start=2):
        sha2 = part.get(HASH_HEADER)
        if not sha2:
            raise BadRequest(f"part {index} has no {HASH_HEADER} header")
        encoding = (part.get("Content-Transfer-Encoding") or "binary").strip().lower()
        if encoding != "binary":
            raise BadRequest(f"part {index}: Content-Transfer-Encoding must be binary")
        attachments.append(
            AttachmentPart(str(sha2).strip().lower(), part.get_content_type(), _payload(part))
        )
    return _payload(first), attachments


def _payload(part: MIMEPart) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def build(json_body: bytes, attachments: Sequence[AttachmentPart]) -> tuple[str, bytes]:
    """A multipart/mixed response: the JSON first, then each attachment's raw bytes."""
    boundary = secrets.token_hex(16)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json_body,
        b"\r\n",
    ]
    for attachment in attachments:
        head = (
            f"--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\n{HASH_HEADER}: {attachment.sha2}\r\n\r\n"
        )
        chunks += [head.encode(), attachment.content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return f'multipart/mixed; boundary="{boundary}"', b"".join(chunks)
