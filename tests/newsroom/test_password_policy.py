"""RELIABILITY.md B7: a publisher's password is refused when it is common, the username, all digits
or shorter than 12 characters, and accepted when it is a long random string."""

from __future__ import annotations

import secrets
import string

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def random_string(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not candidate.isdigit():
            return candidate


@pytest.mark.parametrize(("password", "message"), [
    ("password123", "too common"),
    ("margaret-publisher", "too similar to the username"),
    ("12345678901", "entirely numeric"),
    ("k7Qm2xWv9Rb", "too short"),  # fixed, so that every process of a parallel run collects the same ids
])
def test_weak_passwords_are_refused_with_the_validators_message(password: str, message: str) -> None:
    publisher = UserFactory(username="margaret-publisher", roles=["publisher"])
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=publisher)
    assert any(message in text for text in refused.value.messages), refused.value.messages


def test_a_long_random_password_is_accepted() -> None:
    publisher = UserFactory(username="margaret-publisher", roles=["publisher"])
    validate_password(random_string(16), user=publisher)
