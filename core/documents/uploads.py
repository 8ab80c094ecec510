"""Uploads that are never buffered whole: raw request bodies and multipart forms streamed.

``body_chunks`` gives the raw body of an API upload; ``stream_form`` parses a browser's
multipart form incrementally (``multipart.PushMultipartParser``) and hands over the file
part as a stream of chunks, so the blob store receives it as it arrives. Both refuse at
once a body whose ``Content-Length`` is over the limit (413, nothing read). Put a form's
text fields before its file input: fields after the file are not read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar import Request
from multipart import MultipartSegment, ParserError, PushMultipartParser

from core.documents.blobs import BlobTooLarge
from core.documents.services import InvalidDocument, TooLarge

FORM_OVERHEAD = 64 * 1024  # room for the form's text fields and part headers
MAX_FIELD = 16 * 1024


class StreamedFile(msgspec.Struct):
    """The file part of a form: its name, declared type and content as it arrives."""

    filename: str
    content_type: str
    chunks: AsyncIterator[bytes]


def _check_length(request: Request, limit: int) -> None:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise TooLarge(BlobTooLarge(limit).args[0])


def body_chunks(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    """The raw request body as it arrives (``TooLarge`` at once for a longer
    ``Content-Length``; the blob store enforces ``max_bytes`` on what is actually sent)."""
    _check_length(request, max_bytes)
    return request.stream()


async def _events(request: Request, parser: PushMultipartParser
                  ) -> AsyncIterator[MultipartSegment | bytearray | None]:
    try:
        async for chunk in request.stream():
            for event in parser.parse(chunk):
                yield event
    except ParserError as exc:
        raise InvalidDocument(f"Formulario mal formado: {exc}") from exc


async def _part(events: AsyncIterator[MultipartSegment | bytearray | None]
                ) -> AsyncIterator[bytes]:
    async for event in events:
        if event is None:
            return
        yield bytes(event)  # type: ignore[arg-type]


async def stream_form(request: Request, file_field: str,
                      max_bytes: int) -> tuple[dict[str, str], StreamedFile]:
    """The text fields before ``file_field`` and that file, streamed."""
    content_type, options = request.content_type
    boundary = options.get("boundary")
    if content_type != "multipart/form-data" or not boundary:
        raise InvalidDocument("Envíe el fichero en un formulario multipart/form-data")
    _check_length(request, max_bytes + FORM_OVERHEAD)
    parser = PushMultipartParser(boundary, max_segment_count=32)
    events = _events(request, parser)
    fields: dict[str, str] = {}
    value = bytearray()
    name = ""
    async for event in events:
        if isinstance(event, MultipartSegment):
            if event.name == file_field and event.filename is not None:
                return fields, StreamedFile(filename=event.filename,
                                            content_type=event.content_type or "",
                                            chunks=_part(events))
            name, value = event.name, bytearray()
        elif event is None:
            fields[name] = value.decode("utf-8", errors="replace")
        else:
            value += event
            if len(value) > MAX_FIELD:
                raise InvalidDocument(f"El campo {name!r} es demasiado largo")
    raise InvalidDocument("Falta el fichero")


async def read_limited(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes:
    """All of a stream, or ``TooLarge`` as soon as it passes ``max_bytes``."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > max_bytes:
            raise TooLarge(BlobTooLarge(max_bytes).args[0])
    return bytes(data)
