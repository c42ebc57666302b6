"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.core.errors import FieldViolation, InvalidArgument

MAX_LENGTH = 128
# The handful of passwords every breach list starts with; length rules catch the rest.
COMMON = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "1234567890", "12345678910", "qwertyuiop",
        "iloveyou12", "letmein123", "welcome123", "admin12345", "abc1234567", "qwerty1234", "1q2w3e4r5t",
    }
)  # fmt: skip


class Passwords:
    def __init__(self, *, min_length: int) -> None:
        self.min_length = min_length
        # argon2id with the library's RFC 9106 "low memory" defaults (64 MiB, t=3).
        self._hasher = PasswordHasher()
        # Verified against when the account does not exist, so timing does not reveal it.
        self._decoy = self._hasher.hash("decoy password that never matches")

    def check_policy(self, password: str, *, email: str = "", field: str = "password") -> None:
        problems = []
        if len(password) < self.min_length:
            problems.append(f"must be at least {self.min_length} characters")
        if len(password) > MAX_LENGTH:
            problems.append(f"must be at most {MAX_LENGTH} characters")
        if password.lower() in COMMON or len(set(password)) < 4:
            problems.append("is too common or too simple")
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in password.lower():
            problems.append("must not contain your email address")
        if problems:
            raise InvalidArgument(
                f"{field} {'; '.join(problems)}",
                reason="WEAK_PASSWORD",
                violations=[FieldViolation(field, p, "WEAK_PASSWORD") for p in problems],
            )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
