"""Blob store fixtures: a real moto S3 server on loopback and one harness per backend.

Import explicitly from a test module (`from blob_fixtures import ...  # noqa: F401`).
A harness gives the contract tests a backend-neutral view of what is physically stored.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import boto3
import pytest
from moto.server import ThreadedMotoServer

from core.documents.blobs import MIN_PART_SIZE, FileBlobStore, S3BlobStore, blob_key

S3_WRITES = ("PutObject", "UploadPart", "CopyObject", "CreateMultipartUpload")


class Harness(Protocol):
    store: FileBlobStore | S3BlobStore

    def raw_entries(self) -> list[str]:
        """Everything the backend holds: blobs, temporaries, pending uploads."""
        ...

    def write_marker(self) -> object:
        """A value that changes whenever anything is written."""
        ...

    def overwrite(self, sha256: str, data: bytes) -> None:
        """Damage a stored blob behind the store's back."""
        ...

    def remove(self, sha256: str) -> None:
        """Lose a stored blob behind the store's back."""
        ...


class FileHarness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = FileBlobStore(root)

    def raw_entries(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def write_marker(self) -> object:
        return {
            path: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in self.root.rglob("*")
            if path.is_file()
        }

    def overwrite(self, sha256: str, data: bytes) -> None:
        path = self.root / blob_key(sha256)
        path.chmod(0o644)
        path.write_bytes(data)

    def remove(self, sha256: str) -> None:
        (self.root / blob_key(sha256)).unlink()


class S3Harness:
    def __init__(self, endpoint: str, bucket: str) -> None:
        self.store = S3BlobStore(
            endpoint, bucket, "testing", "testing", "eu-south-2", part_size=MIN_PART_SIZE
        )
        self.client = self.store.client
        self.bucket = bucket
        self.writes = 0
        for operation in S3_WRITES:
            self.client.meta.events.register(f"before-call.s3.{operation}", self._count)

    def _count(self, **_: Any) -> None:
        self.writes += 1

    def raw_entries(self) -> list[str]:
        objects = self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        uploads = self.client.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])
        return sorted([o["Key"] for o in objects] + [f"upload:{u['Key']}" for u in uploads])

    def write_marker(self) -> object:
        return self.writes

    def overwrite(self, sha256: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=blob_key(sha256), Body=data)

    def remove(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=blob_key(sha256))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", name="moto_endpoint")
def moto_endpoint_fixture() -> Iterator[str]:
    """URL of a moto S3 server running in this process, on loopback."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def new_bucket(endpoint: str) -> str:
    name = f"blobs-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-south-2",
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-south-2"}
    )
    return name


@pytest.fixture(params=["file", "s3"], name="harness")
def harness_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    """One harness per backend, with an empty store."""
    if request.param == "file":
        return FileHarness(tmp_path / "blobs")
    endpoint = request.getfixturevalue("moto_endpoint")
    return S3Harness(endpoint, new_bucket(endpoint))
