"""The encrypted container of a backup: AES-256-GCM in chunks, key from a passphrase.

Layout: ``MAGIC``, a 4-byte length and a JSON header (scrypt parameters and salt, nonce
prefix, chunk size), then frames of a 4-byte length and a sealed chunk. Each chunk's nonce
is the prefix, its 4-byte counter and a last-chunk flag (the STREAM construction), and the
header is authenticated with every chunk: reordering, dropping, truncating or changing any
byte — header included — makes decryption fail.
"""

from __future__ import annotations

import io
import json
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CONCEJO-BACKUP/1\n"
CHUNK = 1 << 20
SCRYPT = {"n": 1 << 15, "r": 8, "p": 1}
PASSPHRASE_ENV = "CONCEJO_BACKUP_PASSPHRASE"
MIN_PASSPHRASE = 12


class BackupDecryptionError(ValueError):
    """Wrong passphrase, or a file that was changed or cut short."""


def derive_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def read_passphrase(path: str | None) -> str:
    """The passphrase from a file (first line) or ``CONCEJO_BACKUP_PASSPHRASE``."""
    if path:
        with open(path, encoding="utf-8") as handle:
            text = handle.readline().rstrip("\r\n")
    else:
        text = os.environ.get(PASSPHRASE_ENV, "")
    if len(text) < MIN_PASSPHRASE:
        raise SystemExit(f"error: a backup passphrase of at least {MIN_PASSPHRASE} characters "
                         f"is needed (--passphrase-file or {PASSPHRASE_ENV})")
    return text


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptedWriter(io.RawIOBase):
    """A write-only file that seals what is written to ``out`` chunk by chunk."""

    def __init__(self, out: BinaryIO, passphrase: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        header = json.dumps({"kdf": "scrypt", **SCRYPT, "salt": salt.hex(),
                             "nonce_prefix": self._prefix.hex(), "chunk": CHUNK}).encode()
        self._aead = AESGCM(derive_key(passphrase, salt, **SCRYPT))
        self._aad = header
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        out.write(MAGIC + struct.pack(">I", len(header)) + header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep one chunk back: it may be the last
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._aad)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._out.flush()
        super().close()


class EncryptedReader(io.RawIOBase):
    """A read-only file giving back what an EncryptedWriter sealed, checking every chunk."""

    def __init__(self, source: BinaryIO, passphrase: str) -> None:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupDecryptionError("not a Concejo backup file")
        (size,) = struct.unpack(">I", _exactly(source, 4))
        self._aad = _exactly(source, size)
        header = json.loads(self._aad)
        self._prefix = bytes.fromhex(header["nonce_prefix"])
        self._aead = AESGCM(derive_key(passphrase, bytes.fromhex(header["salt"]),
                                       header["n"], header["r"], header["p"]))
        self._source = source
        self._counter = 0
        self._plain = memoryview(b"")
        self._next = self._read_frame()
        self._done = False

    def readable(self) -> bool:
        return True

    def _read_frame(self) -> bytes | None:
        raw = self._source.read(4)
        if not raw:
            return None
        (size,) = struct.unpack(">I", raw if len(raw) == 4 else _short())
        return _exactly(self._source, size)

    def _open_next(self) -> None:
        frame = self._next
        if frame is None:
            raise BackupDecryptionError("the backup file is cut short")
        self._next = self._read_frame()
        last = self._next is None
        try:
            self._plain = memoryview(self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), frame, self._aad))
        except InvalidTag:
            raise BackupDecryptionError(
                "wrong passphrase, or the backup file was changed or cut short") from None
        self._counter += 1
        self._done = last

    def readinto(self, target: bytearray) -> int:  # type: ignore[override]
        while not self._plain and not self._done:
            self._open_next()
        count = min(len(target), len(self._plain))
        target[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count


def _exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        _short()
    return data


def _short() -> bytes:
    raise BackupDecryptionError("the backup file is cut short")
