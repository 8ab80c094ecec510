"""Contract suite of the blob store, run against the file system and a real S3 server."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from blob_fixtures import (  # noqa: F401  (fixtures)
    FileHarness,
    Harness,
    harness_fixture,
    moto_endpoint_fixture,
    new_bucket,
)

from core.documents import blobs
from core.documents.blobs import (
    MIN_PART_SIZE,
    BlobNotFound,
    BlobRef,
    BlobTooLarge,
    Damage,
    FileBlobStore,
    S3BlobStore,
    blob_key,
    blob_store_from_url,
)

MiB = 1 << 20


async def chunked(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def pattern(size: int, seed: int = 0) -> bytes:
    """Incompressible, reproducible content."""
    out = bytearray()
    block = hashlib.sha256(seed.to_bytes(8, "big")).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


async def test_put_read_round_trip(harness: Harness) -> None:
    data = b"Decreto de Alcaldia 2025/0042\n" * 100
    ref = await harness.store.put_bytes(data)
    assert ref == BlobRef(hashlib.sha256(data).hexdigest(), len(data))
    assert await harness.store.exists(ref.sha256)
    assert await harness.store.read_bytes(ref.sha256) == data
    assert b"".join([c async for c in harness.store.open_stream(ref.sha256)]) == data
    assert harness.raw_entries() == [blob_key(ref.sha256)]


async def test_empty_blob(harness: Harness) -> None:
    ref = await harness.store.put_bytes(b"")
    assert ref.size == 0 and ref.sha256 == hashlib.sha256(b"").hexdigest()
    assert await harness.store.read_bytes(ref.sha256) == b""


async def test_same_content_is_written_once(harness: Harness) -> None:
    data = pattern(70_000)
    first = await harness.store.put_stream(chunked(data), max_bytes=MiB)
    marker = harness.write_marker()
    again = await harness.store.put_stream(chunked(data, 999), max_bytes=MiB)
    assert again == first
    assert harness.write_marker() == marker
    assert harness.raw_entries() == [blob_key(first.sha256)]


async def test_concurrent_puts_of_one_content(harness: Harness) -> None:
    data = pattern(50_000, seed=3)
    refs = await asyncio.gather(*(harness.store.put_bytes(data) for _ in range(6)))
    assert len(set(refs)) == 1
    assert harness.raw_entries() == [blob_key(refs[0].sha256)]
    assert await harness.store.read_bytes(refs[0].sha256) == data


async def test_multipart_sized_stream(harness: Harness) -> None:
    data = pattern(2 * MIN_PART_SIZE + 123_457, seed=1)
    ref = await harness.store.put_stream(chunked(data, MiB), max_bytes=len(data))
    assert ref == BlobRef(hashlib.sha256(data).hexdigest(), len(data))
    assert harness.raw_entries() == [blob_key(ref.sha256)]
    assert await harness.store.read_bytes(ref.sha256) == data
    marker = harness.write_marker()
    assert await harness.store.put_stream(chunked(data, MiB), max_bytes=len(data)) == ref
    assert harness.raw_entries() == [blob_key(ref.sha256)]
    if isinstance(harness, FileHarness):
        assert harness.write_marker() == marker


@pytest.mark.parametrize("size", [1000, 2 * MIN_PART_SIZE + 1])
async def test_too_large_leaves_nothing(harness: Harness, size: int) -> None:
    data = pattern(size, seed=2)
    consumed = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal consumed
        async for chunk in chunked(data, 100 if size < MiB else MiB):
            consumed += len(chunk)
            yield chunk

    with pytest.raises(BlobTooLarge) as caught:
        await harness.store.put_stream(counting(), max_bytes=size - 1)
    assert caught.value.max_bytes == size - 1
    assert consumed == size, "stops at the first chunk past the limit"
    assert harness.raw_entries() == []
    assert not await harness.store.exists(hashlib.sha256(data).hexdigest())


async def test_failing_stream_leaves_nothing(harness: Harness) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield pattern(MIN_PART_SIZE + 10)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await harness.store.put_stream(broken(), max_bytes=100 * MiB)
    assert harness.raw_entries() == []


async def test_cancelled_upload_leaves_nothing(harness: Harness) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield pattern(MIN_PART_SIZE + 10)
        started.set()
        await asyncio.sleep(3600)
        yield b"never"

    task = asyncio.create_task(harness.store.put_stream(stalled(), max_bytes=100 * MiB))
    await started.wait()
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert harness.raw_entries() == []


async def test_missing_blob(harness: Harness) -> None:
    absent = hashlib.sha256(b"absent").hexdigest()
    assert not await harness.store.exists(absent)
    with pytest.raises(BlobNotFound):
        await harness.store.read_bytes(absent)
    with pytest.raises(BlobNotFound):
        async for _ in harness.store.open_stream(absent):
            pass


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "ab" * 31, ""])
async def test_refuses_names_that_are_not_hashes(harness: Harness, bad: str) -> None:
    with pytest.raises(ValueError):
        await harness.store.exists(bad)
    with pytest.raises(ValueError):
        await harness.store.read_bytes(bad)


async def test_iter_all_lists_blobs_only(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blobs, "LIST_PAGE_SIZE", 2)
    contents = [f"documento {n}".encode() for n in range(5)]
    refs = {await harness.store.put_bytes(data) for data in contents}
    listed = [ref async for ref in harness.store.iter_all()]
    assert sorted(listed, key=lambda r: r.sha256) == sorted(refs, key=lambda r: r.sha256)


async def test_fsck_reports_corrupt_and_missing(harness: Harness) -> None:
    kept, damaged, lost = [
        await harness.store.put_bytes(f"blob {n}".encode() * 10) for n in range(3)
    ]
    never = hashlib.sha256(b"never stored").hexdigest()
    expected = [kept.sha256, damaged.sha256, lost.sha256, never]
    assert await harness.store.fsck(expected) == [
        Damage(never, "missing", "expected blob is not stored")
    ]
    harness.overwrite(damaged.sha256, b"bit rot")
    harness.remove(lost.sha256)
    report = {(d.sha256, d.problem) for d in await harness.store.fsck(expected)}
    assert report == {
        (damaged.sha256, "corrupt"),
        (lost.sha256, "missing"),
        (never, "missing"),
    }


async def test_fsck_survives_a_blob_vanishing_mid_check(tmp_path: Path) -> None:
    gone = hashlib.sha256(b"gone").hexdigest()

    class ListingRace(FileBlobStore):
        """Lists one blob more than it holds, as when one is deleted mid-check."""

        async def iter_all(self) -> AsyncIterator[BlobRef]:
            async for ref in super().iter_all():
                yield ref
            yield BlobRef(gone, 4)

    store = ListingRace(tmp_path)
    await store.put_bytes(b"kept")
    assert await store.fsck() == [Damage(gone, "missing", "vanished while being checked")]
    with pytest.raises(ValueError):
        await store.fsck(["not-a-hash"])


async def test_file_blobs_are_read_only_and_fanned_out(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    ref = await store.put_bytes(b"acta del pleno")
    path = tmp_path / ref.sha256[:2] / ref.sha256[2:4] / ref.sha256
    assert path.read_bytes() == b"acta del pleno"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert list((tmp_path / "tmp").iterdir()) == []


async def test_file_store_ignores_strays(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    ref = await store.put_bytes(b"x")
    (tmp_path / "tmp" / "tmpabc").write_bytes(b"half written")
    (tmp_path / "zz").mkdir()
    misplaced = tmp_path / ref.sha256[:2] / "00" / ref.sha256
    misplaced.parent.mkdir(exist_ok=True)
    misplaced.write_bytes(b"x")
    assert [r async for r in store.iter_all()] == [ref]


def test_url_plain_path_and_file_url(tmp_path: Path) -> None:
    assert blob_store_from_url(str(tmp_path)).root == tmp_path
    assert blob_store_from_url(f"file://{tmp_path}/a%20b").root == tmp_path / "a b"
    assert blob_store_from_url("file://localhost/srv/blobs").root == Path("/srv/blobs")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file://otherhost/srv", "local path"),
        ("ftp://host/x", "unknown blob store scheme"),
        ("s3://bucket?endpoint=http://127.0.0.1:9&regoin=x", "regoin"),
        ("s3://?endpoint=http://127.0.0.1:9", "without a bucket"),
        ("s3://bucket?endpoint=http://127.0.0.1:9", "credentials missing"),
    ],
)
def test_url_errors(url: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ValueError, match=message):
        blob_store_from_url(url)


async def test_s3_url_with_userinfo_works(moto_endpoint: str) -> None:
    bucket = new_bucket(moto_endpoint)
    store = blob_store_from_url(
        f"s3://AK%2Fdemo:s%40cret@{bucket}?endpoint={moto_endpoint}&region=eu-south-2"
    )
    assert isinstance(store, S3BlobStore)
    credentials = store.client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("AK/demo", "s@cret")
    assert store.client.meta.region_name == "eu-south-2"
    ref = await store.put_bytes(b"via url")
    assert await store.read_bytes(ref.sha256) == b"via url"
    assert "s@cret" not in repr(store)


def test_s3_url_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    store = blob_store_from_url("s3://concejo?endpoint=http://127.0.0.1:9000")
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "concejo" and store.endpoint_url == "http://127.0.0.1:9000"
    assert store.client._request_signer._credentials.access_key == "from-env"


def test_s3_part_size_floor() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3BlobStore("http://127.0.0.1:9", "b", "k", "s", part_size=MIN_PART_SIZE - 1)
