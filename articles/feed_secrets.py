"""Feed credentials at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256) under a key from
the environment (NEWSROOM_FEED_SECRET_KEY or its _FILE; without one, a key derived from
SECRET_KEY). Decrypted only to fetch the feed; never shown back by the page or the API."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class UnreadableSecret(Exception):
    """The stored secret was encrypted under another key (the key changed): set it again."""


def _fernet() -> Fernet:
    configured = settings.NEWSROOM_FEED_SECRET_KEY
    if configured:
        return Fernet(configured.encode())
    derived = hashlib.sha256(b"newsroom feed credentials\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def decrypt_secret(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise UnreadableSecret("the feed's password was encrypted under another key; set it again") from None
