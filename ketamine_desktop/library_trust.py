"""Signed drug libraries: the pharmacy signs an approved library with its Ed25519 private key; the app
loads a library only when a key it trusts signed exactly those bytes.

Why a signature and not a checksum beside the file: anyone who can edit the library can rewrite its
checksum; nobody without the private key can make a signature that a trusted public key accepts.

- `F.sig` beside the library `F` (text, `SIGNATURE_FORMAT`): the file's SHA-256, who signed it and when,
  the signing key's id, and the Ed25519 signature over those lines.
- Trusted public keys (PEM, `*.pub`) come from two places only: the keys bundled with the app
  (`resources/keys/`, the project key that signed the default library) and a system directory set by IT
  (`system_key_dir()`: `/etc/ketamine-desktop/trusted-keys` on Linux), where a key counts only when
  neither it nor its directory can be written by anyone but the administrator.
- A hospital library in the system directory (`system_library_path()`) replaces the bundled default,
  with its signature beside it and its key among the trusted ones: no code or bundle changes.

Ed25519 comes from the `cryptography` package (PyCA), imported only when a signature is checked, made or
a key generated, so nothing pays for it before the window's first paint.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ketamine_desktop.domain.library import LibraryError
from ketamine_desktop.resources import resource_path

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SIGNATURE_SUFFIX = ".sig"
KEY_SUFFIX = ".pub"
SIGNATURE_FORMAT = "ketamine-desktop library signature v1"
# A signature file is a few hundred bytes; anything much larger is not one.
_MAX_SIGNATURE_BYTES = 4096
_MAX_KEY_BYTES = 4096
_FIELDS = ("file", "sha256", "signer", "signed-at", "key-id")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def signature_path(library_path: Path) -> Path:
    return library_path.with_name(library_path.name + SIGNATURE_SUFFIX)


def bundled_key_dir() -> Path:
    """The public keys shipped inside the app (read-only where the app is installed)."""
    return resource_path("keys")


def system_config_dir() -> Path:
    """Where IT puts the hospital's library and trusted keys: writable by administrators only."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "ketamine-desktop"
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return Path("/Library/Application Support/ketamine-desktop")
    return Path("/etc/ketamine-desktop")


def system_key_dir() -> Path:
    return system_config_dir() / "trusted-keys"


def system_library_path() -> Path:
    return system_config_dir() / "library.toml"


def bundled_library_path() -> Path:
    return resource_path("library", "default.toml")


def library_path() -> Path:
    """The library the app uses: the hospital's, when IT installed one in the system directory, else the
    default library shipped with the app."""
    hospital = system_library_path()
    return hospital if hospital.exists() else bundled_library_path()


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    path: Path
    raw: bytes  # the 32-byte Ed25519 public key


@dataclass(frozen=True)
class SignatureInfo:
    """A verified signature: who signed the library's bytes, when, and with which trusted key."""

    file: str
    sha256: str
    signer: str
    signed_at: datetime
    key_id: str
    key_path: Path

    def describe(self) -> str:
        return (
            f"signed by {self.signer} on {self.signed_at:%Y-%m-%d %H:%M} UTC "
            f"with key {self.key_id} ({self.key_path.name})"
        )

    def as_json(self) -> dict[str, str]:
        return {
            "signer": self.signer,
            "signed_at": self.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "key_id": self.key_id,
            "key_file": str(self.key_path),
        }


def key_id(raw_public_key: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


# --- Trusted keys ---------------------------------------------------------------------------------------


def trusted_keys(key_dirs: tuple[Path, ...] | None = None) -> tuple[tuple[TrustedKey, ...], tuple[str, ...]]:
    """The keys the app trusts, and a sentence for each key file it ignored (and why).

    The bundled keys are part of the installed app; the system directory's keys count only when they
    and the directory are owned by the administrator and writable by nobody else (POSIX).
    """
    bundled = bundled_key_dir()
    dirs = (bundled, system_key_dir()) if key_dirs is None else key_dirs
    keys: list[TrustedKey] = []
    ignored: list[str] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        problem = None if directory == bundled else _writable_by_others(directory)
        files = sorted(p for p in directory.iterdir() if p.name.endswith(KEY_SUFFIX))
        for path in files:
            reason = problem or (None if directory == bundled else _writable_by_others(path))
            if reason is not None:
                ignored.append(f"{path}: not trusted, {reason}")
                continue
            try:
                raw = _read_public_key(path)
            except LibraryError as exc:
                ignored.extend(exc.problems)
                continue
            keys.append(TrustedKey(key_id(raw), path, raw))
    return tuple(keys), tuple(ignored)


def _writable_by_others(path: Path) -> str | None:
    if sys.platform == "win32":  # pragma: no cover - ACLs, not mode bits; ProgramData is admin-only
        return None
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link (a trusted key must be a file IT installed)"
    if info.st_uid != 0:
        return f"owned by user id {info.st_uid}, not by the administrator (root)"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _read_public_key(path: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = _read_small(path, _MAX_KEY_BYTES, "public key")
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise LibraryError([f"{path}: not a PEM public key ({exc})"]) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise LibraryError([f"{path}: not an Ed25519 public key"])
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _read_small(path: Path, limit: int, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise LibraryError([f"{path}: cannot read the {what} ({exc.strerror or exc})"]) from exc
    if len(data) > limit:
        raise LibraryError([f"{path}: too large to be a {what} (over {limit} bytes)"])
    return data


# --- Signature files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SignatureFile:
    fields: dict[str, str]
    signature: bytes

    def message(self) -> bytes:
        return signed_message(self.fields)


def signed_message(fields: dict[str, str]) -> bytes:
    """The exact bytes the Ed25519 signature covers: the format line and the fields, one per line."""
    lines = [SIGNATURE_FORMAT, *(f"{name}: {fields[name]}" for name in _FIELDS)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parse_signature(path: Path) -> _SignatureFile:
    data = _read_small(path, _MAX_SIGNATURE_BYTES, "signature")
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise LibraryError([f"{path}: not a library signature (not UTF-8 text)"]) from None
    if not lines or lines[0] != SIGNATURE_FORMAT:
        raise LibraryError([f"{path}: not a library signature (it must begin {SIGNATURE_FORMAT!r})"])
    values: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(": ")
        if not sep or name in values:
            raise LibraryError([f"{path}: not a library signature (bad line {line[:40]!r})"])
        values[name] = value
    expected = {*_FIELDS, "signature"}
    if set(values) != expected:
        missing = sorted(expected - set(values))
        raise LibraryError([f"{path}: not a library signature (missing or extra fields: {missing})"])
    try:
        signature = base64.b64decode(values.pop("signature"), validate=True)
    except ValueError:
        raise LibraryError([f"{path}: the signature is not base64"]) from None
    return _SignatureFile(values, signature)


def verify_signature(
    library_path: Path, sha256: str, *, key_dirs: tuple[Path, ...] | None = None
) -> SignatureInfo:
    """Check that a trusted key signed the library whose bytes have `sha256`; raise LibraryError naming
    the file and the reason otherwise (unsigned, changed since signing, unknown key, forged)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    sig_path = signature_path(library_path)
    if not sig_path.exists():
        raise LibraryError(
            [
                f"{library_path}: the library is not signed (no {sig_path.name} beside it). "
                "Only a library signed by the pharmacy with a trusted key can be used."
            ]
        )
    parsed = _parse_signature(sig_path)
    fields = parsed.fields
    if not _HEX64.match(fields["sha256"]) or not _KEY_ID.match(fields["key-id"]):
        raise LibraryError([f"{sig_path}: not a library signature (bad sha256 or key-id)"])
    if fields["sha256"] != sha256:
        raise LibraryError(
            [
                f"{library_path}: the file was changed after it was signed (SHA-256 {sha256[:12]}, "
                f"signed {fields['sha256'][:12]} by {fields['signer']}). Restore the signed file or have "
                "the pharmacy sign this one."
            ]
        )
    keys, ignored = trusted_keys(key_dirs)
    key = next((k for k in keys if k.key_id == fields["key-id"]), None)
    if key is None:
        note = f" (ignored: {'; '.join(ignored)})" if ignored else ""
        raise LibraryError(
            [
                f"{library_path}: signed by {fields['signer']} with key {fields['key-id']}, which this "
                f"computer does not trust. Trusted keys: {', '.join(k.key_id for k in keys) or 'none'}"
                f"{note}. IT installs a hospital's public key in {system_key_dir()}."
            ]
        )
    try:
        Ed25519PublicKey.from_public_bytes(key.raw).verify(parsed.signature, parsed.message())
    except InvalidSignature:
        raise LibraryError(
            [f"{sig_path}: the signature does not match key {key.key_id}: it is forged or damaged"]
        ) from None
    try:
        signed_at = datetime.strptime(fields["signed-at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise LibraryError([f"{sig_path}: signed-at is not a UTC time"]) from None
    return SignatureInfo(fields["file"], sha256, fields["signer"], signed_at, key.key_id, key.path)


# --- Signing and keys (the pharmacy's side) --------------------------------------------------------------


def load_private_key(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_small(path, _MAX_KEY_BYTES, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise LibraryError([f"{path}: not an unencrypted PEM private key ({exc})"]) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise LibraryError([f"{path}: not an Ed25519 private key"])
    return key


def sign_library(
    library_path: Path, data: bytes, key_path: Path, signer: str, now: datetime
) -> tuple[Path, str]:
    """Write `library_path.sig`, the pharmacy's signature over the library's bytes `data`; returns its path
    and the signing key's id."""
    from cryptography.hazmat.primitives import serialization

    private = load_private_key(key_path)
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fields = {
        "file": library_path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "signer": signer,
        "signed-at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "key-id": key_id(raw),
    }
    message = signed_message(fields)
    text = message.decode("utf-8") + f"signature: {base64.b64encode(private.sign(message)).decode('ascii')}\n"
    out = signature_path(library_path)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LibraryError([f"{out}: cannot write the signature ({exc.strerror or exc})"]) from exc
    return out, fields["key-id"]


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """A new Ed25519 key pair: the private key (PEM, mode 0600, never overwritten) and the public key (PEM)
    to install as trusted. Returns the key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for path in (private_path, public_path):
        if path.exists():
            raise LibraryError([f"{path}: already exists; a key is never overwritten"])
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key()
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public_path.write_bytes(
            public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    except OSError as exc:
        raise LibraryError([f"cannot write the key pair: {exc}"]) from exc
    return key_id(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
