"""Uploading and reading residents' documents.

The type is decided by the bytes (filetype), never by the name or the client's Content-Type:
a renamed executable is refused. Files are encrypted with the data key, bound to their
storage key, and written outside the web root.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import filetype
from sqlalchemy import select

from wxapp import config
from wxapp.errors import ValidationFailed
from wxapp.extensions import db
from wxapp.models import DOCUMENT_KINDS, Resident, UploadedDocument
from wxapp.security.encryption import get_keyring
from wxapp.services.accounts.ownership import owned_by

ALLOWED_TYPES = {"image/jpeg", "image/png", "application/pdf"}


def _directory() -> Path:
    path = Path(config.settings().upload_dir)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _context(storage_key: str) -> str:
    return f"uploaded_documents.{storage_key}"


def store_upload(resident: Resident, kind: str, content: bytes) -> UploadedDocument:
    if kind not in DOCUMENT_KINDS:
        raise ValidationFailed("upload.kind", "请选择材料类型。",
                               details={"kind": "材料类型不正确。"})
    limit = config.settings().upload_max_bytes
    if not content:
        raise ValidationFailed("upload.empty", "文件是空的，请重新选择。")
    if len(content) > limit:
        raise ValidationFailed("upload.too_large",
                               f"文件太大，请上传不超过{limit // (1024 * 1024)}MB的照片或PDF。")
    detected = filetype.guess_mime(content)
    if detected not in ALLOWED_TYPES:
        raise ValidationFailed("upload.type", "只能上传 JPG、PNG 照片或 PDF 文件。")
    storage_key = secrets.token_hex(16)
    encrypted = get_keyring().encrypt_bytes(content, _context(storage_key))
    target = _directory() / storage_key
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(encrypted)
    document = UploadedDocument(resident_id=resident.id, kind=kind, content_type=detected,
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                storage_key=storage_key)
    db.session.add(document)
    db.session.flush()
    return document


def read_content(document: UploadedDocument) -> bytes:
    blob = (_directory() / document.storage_key).read_bytes()
    return get_keyring().decrypt_bytes(blob, _context(document.storage_key))


def get_for_resident(resident: Resident, document_id: int) -> UploadedDocument:
    return owned_by(resident, UploadedDocument, document_id, "upload.not_found", "没有找到该文件。")


def documents_of(registration_id: int) -> list[UploadedDocument]:
    return list(db.session.scalars(select(UploadedDocument).filter_by(
        registration_id=registration_id).order_by(UploadedDocument.id)))
