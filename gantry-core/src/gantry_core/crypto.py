"""AES-256-GCM for secrets at rest (plugin config secrets, admin-managed secrets: F23, F94, F156).

The key comes from GANTRY_ENCRYPTION_KEY (64 hex) or ``$GANTRY_DATA_DIR/encryption.key``, created once
with mode 0600. Ciphertexts are ``version byte | 12-byte nonce | ciphertext+tag``; the associated data
binds each value to where it is stored (e.g. ``plugin:kubernetes:/clusters/0/token``), so a value copied
to another place does not decrypt.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
KEY_FILE = "encryption.key"


class DecryptionError(Exception):
    """A value could not be decrypted: wrong key, or tampered with."""


def load_or_create_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, else the one kept in the data dir (created once, mode 0600)."""
    if configured:
        return bytes.fromhex(configured)
    path = data_dir / KEY_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    if text:
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise DecryptionError(f"{path} does not hold 64 hexadecimal characters") from None
        if len(key) != 32:
            raise DecryptionError(f"{path} must hold a 32-byte key (64 hex characters), not {len(key)} bytes")
        return key
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


class Cipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AES-256-GCM needs a 32-byte key")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode())

    def decrypt(self, blob: bytes, context: str) -> str:
        if len(blob) < 1 + 12 + 16 or blob[:1] != _VERSION:
            raise DecryptionError("not a Gantry ciphertext")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], context.encode()).decode("utf-8")
        except InvalidTag:
            raise DecryptionError("cannot decrypt: wrong GANTRY_ENCRYPTION_KEY or tampered value") from None

    def encrypt_text(self, plaintext: str, context: str) -> str:
        """For JSON columns: the ciphertext as URL-safe base64 text."""
        return base64.urlsafe_b64encode(self.encrypt(plaintext, context)).decode()

    def decrypt_text(self, token: str, context: str) -> str:
        try:
            blob = base64.urlsafe_b64decode(token.encode())
        except (ValueError, TypeError):
            raise DecryptionError("not a Gantry ciphertext") from None
        return self.decrypt(blob, context)
