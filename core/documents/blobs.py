"""Content-addressed, immutable blob store (SHA-256), on a file system or on S3.

A blob is written once under the hex SHA-256 of its content and never changed; putting the
same content again writes nothing.  Uploads are streamed: the content is hashed while it is
written to a temporary file or object, and the write is abandoned with :class:`BlobTooLarge`
as soon as ``max_bytes`` is passed, leaving nothing behind.

Both backends lay blobs out as ``ab/cd/abcd…`` (the first two bytes of the hash fan out the
directories); temporaries live under ``tmp/``.  :func:`blob_store_from_url` builds a store
from a deployment setting such as ``file:///var/lib/concejo/blobs`` or
``s3://concejo-blobs?endpoint=http://127.0.0.1:9000&region=eu-south-2``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import msgspec
from botocore.config import Config
from botocore.exceptions import ClientError

CHUNK_SIZE = 1 << 20
MIN_PART_SIZE = 5 << 20  # S3 refuses smaller parts except the last one
LIST_PAGE_SIZE = 1000
log = logging.getLogger(__name__)
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


class BlobRef(msgspec.Struct, frozen=True):
    """A stored blob: its hex SHA-256 and its size in bytes."""

    sha256: str
    size: int


class Damage(msgspec.Struct, frozen=True):
    """A problem found by :meth:`BlobStore.fsck`."""

    sha256: str
    problem: Literal["missing", "corrupt"]
    detail: str


class BlobTooLarge(ValueError):
    """The stream passed the size limit; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"el contenido supera el tamaño máximo de {max_bytes} bytes")
        self.max_bytes = max_bytes


class BlobNotFound(LookupError):
    """No blob with that hash is stored."""


def _checked(sha256: str) -> str:
    """``sha256`` itself when it is 64 lowercase hex digits, else ValueError."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a hex SHA-256: {sha256!r}")
    return sha256


def blob_key(sha256: str) -> str:
    """Relative path or object key of a blob: ``ab/cd/abcd…``."""
    _checked(sha256)
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _sha_of_key(key: str) -> str | None:
    """The hash named by a blob key, or None for temporaries and stray objects."""
    sha256 = key.rsplit("/", 1)[-1]
    return sha256 if _SHA256.match(sha256) and key == blob_key(sha256) else None


class BlobStore(Protocol):
    """What the rest of the platform may ask of a blob store."""

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> BlobRef:
        """Store a stream, hashing it on the way; raise BlobTooLarge past max_bytes."""
        ...

    async def put_bytes(self, data: bytes, *, max_bytes: int | None = None) -> BlobRef:
        """Store bytes already in memory."""
        ...

    def open_stream(self, sha256: str) -> AsyncIterator[bytes]:
        """Yield the content in chunks; raise BlobNotFound when absent."""
        ...

    async def read_bytes(self, sha256: str) -> bytes:
        """Return the whole content; raise BlobNotFound when absent."""
        ...

    async def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        ...

    def iter_all(self) -> AsyncIterator[BlobRef]:
        """Yield every stored blob (temporaries excluded)."""
        ...

    async def fsck(self, expected: Iterable[str] = ()) -> list[Damage]:
        """Re-hash every blob; report corrupt ones and expected hashes that are missing."""
        ...


class _Meter:
    """Hashes and counts a stream as it passes, enforcing the size limit."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._hash = hashlib.sha256()

    async def pass_through(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise BlobTooLarge(self.max_bytes)
            self._hash.update(chunk)
            yield chunk

    @property
    def ref(self) -> BlobRef:
        return BlobRef(self._hash.hexdigest(), self.size)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _StoreBase(ABC):
    """Operations every backend derives from its primitives."""

    @abstractmethod
    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> BlobRef: ...

    @abstractmethod
    def open_stream(self, sha256: str) -> AsyncIterator[bytes]: ...

    @abstractmethod
    def iter_all(self) -> AsyncIterator[BlobRef]: ...

    async def put_bytes(self, data: bytes, *, max_bytes: int | None = None) -> BlobRef:
        limit = len(data) if max_bytes is None else max_bytes
        return await self.put_stream(_once(data), max_bytes=limit)

    async def read_bytes(self, sha256: str) -> bytes:
        return b"".join([chunk async for chunk in self.open_stream(sha256)])

    async def fsck(self, expected: Iterable[str] = ()) -> list[Damage]:
        damage: list[Damage] = []
        seen: set[bytes] = set()
        async for ref in self.iter_all():
            seen.add(bytes.fromhex(ref.sha256))
            digest = hashlib.sha256()
            try:
                async for chunk in self.open_stream(ref.sha256):
                    digest.update(chunk)
            except BlobNotFound:
                damage.append(Damage(ref.sha256, "missing", "vanished while being checked"))
                continue
            if digest.hexdigest() != ref.sha256:
                detail = f"content hashes to {digest.hexdigest()}"
                damage.append(Damage(ref.sha256, "corrupt", detail))
        for sha256 in expected:
            if bytes.fromhex(_checked(sha256)) not in seen:
                damage.append(Damage(sha256, "missing", "expected blob is not stored"))
        return damage


class FileBlobStore(_StoreBase):
    """Blobs as read-only files under ``root/ab/cd/<sha256>``, published by atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileBlobStore({str(self.root)!r})"

    def _path(self, sha256: str) -> Path:
        return self.root / blob_key(sha256)

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> BlobRef:
        meter = _Meter(max_bytes)
        tmp_dir = self.root / "tmp"
        await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
        fd, tmp_name = await asyncio.to_thread(tempfile.mkstemp, dir=tmp_dir)
        try:
            with await asyncio.to_thread(os.fdopen, fd, "wb") as out:
                async for chunk in meter.pass_through(chunks):
                    await asyncio.to_thread(out.write, chunk)
                await asyncio.to_thread(_flush_and_sync, out)
            await asyncio.to_thread(self._publish, Path(tmp_name), meter.ref.sha256)
        finally:
            await asyncio.to_thread(Path(tmp_name).unlink, missing_ok=True)
        return meter.ref

    def _publish(self, tmp: Path, sha256: str) -> None:
        final = self._path(sha256)
        if final.exists():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.chmod(0o444)
        tmp.replace(final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    async def open_stream(self, sha256: str) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self._path(sha256).open, "rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None
        with handle:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
                yield chunk

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self._path(sha256).is_file)

    async def iter_all(self) -> AsyncIterator[BlobRef]:
        for top in await asyncio.to_thread(_fanout_dirs, self.root):
            for ref in await asyncio.to_thread(self._scan, top):
                yield ref

    def _scan(self, top: Path) -> list[BlobRef]:
        refs = []
        for sub in _fanout_dirs(top):
            for entry in sorted(os.scandir(sub), key=lambda entry: entry.name):
                key = f"{top.name}/{sub.name}/{entry.name}"
                if _sha_of_key(key) and entry.is_file():
                    refs.append(BlobRef(entry.name, entry.stat().st_size))
        return refs


def _flush_and_sync(out: Any) -> None:
    out.flush()
    os.fsync(out.fileno())


def _fanout_dirs(directory: Path) -> list[Path]:
    """Two-hex-digit fan-out subdirectories of ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(
        child
        for child in directory.iterdir()
        if re.fullmatch(r"[0-9a-f]{2}", child.name) and child.is_dir()
    )


class S3BlobStore(_StoreBase):
    """Blobs as objects ``ab/cd/<sha256>`` in an S3 bucket (AWS, MinIO, Ceph RGW…).

    A stream that fits in one part is buffered and put directly under its final key; a
    larger one goes by multipart upload to ``tmp/<uuid>`` (aborted on any failure), is
    copied server-side to its final key and the temporary object is deleted.
    """

    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        *,
        part_size: int = 8 << 20,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.part_size = part_size
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
        )

    def __repr__(self) -> str:
        return f"S3BlobStore({self.endpoint_url!r}, {self.bucket!r})"

    async def _call(self, operation: str, **kwargs: Any) -> Any:
        method = getattr(self.client, operation)
        return await asyncio.to_thread(method, Bucket=self.bucket, **kwargs)

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> BlobRef:
        meter = _Meter(max_bytes)
        pending = bytearray()
        upload: _TempUpload | None = None
        try:
            async for chunk in meter.pass_through(chunks):
                pending += chunk
                if len(pending) >= self.part_size:
                    upload = upload or await _TempUpload.create(self)
                    await upload.add_part(bytes(pending))
                    pending.clear()
            if upload is not None:
                await upload.complete(bytes(pending))
        except BaseException:
            if upload is not None:
                await upload.abort()
            raise
        ref = meter.ref
        if upload is not None:
            await self._adopt(upload.key, ref.sha256)
        elif not await self.exists(ref.sha256):
            await self._call("put_object", Key=blob_key(ref.sha256), Body=bytes(pending))
        return ref

    async def _adopt(self, tmp_key: str, sha256: str) -> None:
        """Copy a completed temporary object to its final key, then delete it."""
        try:
            if not await self.exists(sha256):
                source = {"Bucket": self.bucket, "Key": tmp_key}
                await self._call("copy", CopySource=source, Key=blob_key(sha256))
        finally:
            await self._call("delete_object", Key=tmp_key)

    async def open_stream(self, sha256: str) -> AsyncIterator[bytes]:
        try:
            response = await self._call("get_object", Key=blob_key(sha256))
        except ClientError as exc:
            if _not_found(exc):
                raise BlobNotFound(sha256) from None
            raise
        body = response["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_SIZE):
                yield chunk
        finally:
            body.close()

    async def exists(self, sha256: str) -> bool:
        try:
            await self._call("head_object", Key=blob_key(sha256))
        except ClientError as exc:
            if _not_found(exc):
                return False
            raise
        return True

    async def iter_all(self) -> AsyncIterator[BlobRef]:
        token: dict[str, str] = {}
        while True:
            page = await self._call("list_objects_v2", MaxKeys=LIST_PAGE_SIZE, **token)
            for item in page.get("Contents", []):
                sha256 = _sha_of_key(item["Key"])
                if sha256:
                    yield BlobRef(sha256, item["Size"])
            if not page.get("IsTruncated"):
                return
            token = {"ContinuationToken": page["NextContinuationToken"]}


class _TempUpload:
    """A multipart upload to a temporary key."""

    def __init__(self, store: S3BlobStore, key: str, upload_id: str) -> None:
        self.store, self.key, self.upload_id = store, key, upload_id
        self.parts: list[dict[str, Any]] = []

    @classmethod
    async def create(cls, store: S3BlobStore) -> _TempUpload:
        key = f"tmp/{uuid.uuid4().hex}"
        response = await store._call("create_multipart_upload", Key=key)
        return cls(store, key, response["UploadId"])

    async def add_part(self, data: bytes) -> None:
        number = len(self.parts) + 1
        response = await self.store._call(
            "upload_part", Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        self.parts.append({"PartNumber": number, "ETag": response["ETag"]})

    async def complete(self, last: bytes) -> None:
        if last:
            await self.add_part(last)
        await self.store._call(
            "complete_multipart_upload",
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    async def abort(self) -> None:
        """Abort the upload; a failure here is logged so the original error stays visible."""
        try:
            await self.store._call("abort_multipart_upload", Key=self.key, UploadId=self.upload_id)
        except Exception:
            log.exception("could not abort multipart upload %s of %s", self.upload_id, self.key)


def _not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


def blob_store_from_url(url: str) -> FileBlobStore | S3BlobStore:
    """Build a store from ``file:///path``, a plain path or ``s3://[key:secret@]bucket?…``.

    S3 query parameters: ``endpoint`` (omit for AWS itself) and ``region``.  Credentials
    come from the URL's user information or else from ``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``.
    """
    parts = urlsplit(url)
    if parts.scheme == "":
        return FileBlobStore(Path(url))
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file URL must name a local path: {url!r}")
        return FileBlobStore(Path(unquote(parts.path)))
    if parts.scheme != "s3":
        raise ValueError(f"unknown blob store scheme {parts.scheme!r} (use file or s3)")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ValueError(f"unknown s3 URL parameters: {', '.join(sorted(unknown))}")
    bucket = parts.netloc.rpartition("@")[2]
    access_key = unquote(parts.username or "") or os.environ.get("AWS_ACCESS_KEY_ID")
    secret_key = unquote(parts.password or "") or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not bucket:
        raise ValueError(f"s3 URL without a bucket: {url!r}")
    if not access_key or not secret_key:
        raise ValueError("S3 credentials missing: put them in the URL or in AWS_* variables")
    return S3BlobStore(
        query.get("endpoint"), bucket, access_key, secret_key, query.get("region", "us-east-1")
    )
