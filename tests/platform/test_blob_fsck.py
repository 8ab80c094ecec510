"""``concejo blobs fsck``: every blob re-hashed; corrupt and missing ones named with the
documents that use them; exit 1."""

from __future__ import annotations

import os

from core import kernel as _kernel
from core.documents.blobs import FileBlobStore, blob_key
from core.documents.fixity import fsck
from core.documents.services import issue_document
from core.signing.samples import sample_pdf


async def test_fsck_names_damaged_blobs_and_their_documents(sealed_tenant, concejo_cli):
    store = _kernel.current().blobs
    assert isinstance(store, FileBlobStore)
    tenant = await sealed_tenant()
    document = await issue_document(tenant, pdf=sample_pdf("Fixity"), title="Para fsck",
                                    tipo_documental="TD99", actor="t", sign_with_seal=False)
    clean = await fsck()
    assert clean.damaged == [] and clean.referenced <= clean.stored
    path = store.root / blob_key(document.sha256)
    original = path.read_bytes()
    os.chmod(path, 0o644)
    try:
        path.write_bytes(original[:-1] + b"X")
        corrupt = await concejo_cli("blobs", "fsck")
        assert corrupt.returncode == 1, corrupt.stdout + corrupt.stderr
        assert f"CORRUPT {document.sha256}" in corrupt.stdout
        assert f"used by {tenant.slug} {document.identificador} v1" in corrupt.stdout
        path.unlink()
        missing = await fsck()
        assert [(d.sha256, d.problem) for d in missing.damaged] == [(document.sha256,
                                                                     "missing")]
    finally:
        path.write_bytes(original)
        os.chmod(path, 0o444)
    assert (await fsck()).damaged == []
