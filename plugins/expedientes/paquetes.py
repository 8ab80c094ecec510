"""Reading ZIP packages from outside without trusting them.

Refused, before anything is decompressed: input over the size limit, more members than
``MAX_MEMBERS``, names that are absolute, climb out (``..``), use backslashes, drive
letters or control characters, or repeat; symbolic links and other special files;
encrypted members; compression methods other than stored and deflate; declared sizes that
add up past the limit or a compression ratio above ``MAX_RATIO`` (zip bombs). While
reading, a member never yields more than its declared size and its CRC must match.
Nothing is written to disk: members come back as bytes by their normalised name.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from typing import IO

from core.errors import DomainError

MAX_MEMBERS = 5000
MAX_RATIO = 200  # uncompressed / compressed; XML with base64 content stays far below


class UnsafePackage(DomainError):
    """A package refused for safety; the message says why."""


def checked_name(name: str) -> str:
    """A member name made canonical, or ``UnsafePackage`` if it could escape the package."""
    if not name or "\\" in name or name.startswith("/") or any(ord(c) < 32 for c in name):
        raise UnsafePackage(f"Nombre de fichero no admitido en el paquete: {name!r}")
    normalised = posixpath.normpath(name)
    first = normalised.split("/", 1)[0]
    if normalised.startswith("..") or normalised.startswith("/") or first.endswith(":"):
        raise UnsafePackage(f"El fichero {name!r} saldría de la carpeta del paquete")
    return normalised


def _check_member(info: zipfile.ZipInfo) -> None:
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: a tool that does not say
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnsafePackage(f"{info.filename!r} es un enlace o un fichero especial")
    if info.flag_bits & 0x1:
        raise UnsafePackage(f"{info.filename!r} está cifrado")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafePackage(f"{info.filename!r} usa un método de compresión no admitido")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise UnsafePackage(f"{info.filename!r} se expande de forma anómala (bomba ZIP)")


def read_package(data: bytes | IO[bytes], max_bytes: int) -> dict[str, bytes]:
    """The regular files of a ZIP package (bytes, or a seekable file such as a spooled
    upload) by normalised name (``UnsafePackage`` otherwise)."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    if source.seek(0, io.SEEK_END) > max_bytes:
        raise UnsafePackage(f"El paquete supera el tamaño máximo de {max_bytes} bytes")
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafePackage(f"No es un fichero ZIP válido: {exc}") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafePackage(f"El paquete tiene {len(infos)} ficheros; como máximo {MAX_MEMBERS}")
    files: dict[str, bytes] = {}
    declared = 0
    for info in infos:
        name = checked_name(info.filename)
        _check_member(info)
        if info.is_dir():
            continue
        declared += info.file_size
        if declared > max_bytes:
            raise UnsafePackage("El contenido descomprimido supera el tamaño máximo")
        if name in files:
            raise UnsafePackage(f"El fichero {name!r} aparece dos veces")
        try:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise UnsafePackage(f"{info.filename!r} está dañado: {exc}") from None
        if len(content) != info.file_size:
            raise UnsafePackage(f"{info.filename!r} no tiene el tamaño que declara")
        files[name] = content
    return files
