"""A tenant's seal on a PKCS#11 token (SoftHSM2): installed as a credential whose PIN is
sealed with the master key, opened by the kernel's ``pkcs11`` backend, signing documents
that pdfsig accepts. (Named to run before ``test_pkcs11.py``: a token allows one logged-in
application state per process, and a failed ``Pkcs11Backend`` there stays logged in.)"""

from __future__ import annotations

from test_pkcs11 import PIN, TOKEN, token  # noqa: F401 - the SoftHSM token fixture

from core import kernel as _kernel
from core.documents.services import issue_document, read_content
from core.signing.credentials import install_credential, list_credentials
from core.signing.samples import sample_pdf
from core.signing.tables import SignerCredential


async def test_a_seal_on_a_pkcs11_token_signs_issued_documents(token, make_tenant,  # noqa: F811
                                                               pdfsig):
    tenant = await make_tenant()
    config = {"module": token, "token_label": TOKEN, "key_label": "sello"}
    credential = await install_credential(tenant, backend="pkcs11", config=config,
                                          secret=PIN.encode(), actor="t")
    assert [c.backend for c in await list_credentials(tenant)] == ["pkcs11"]
    row = await SignerCredential.select().where(SignerCredential.id == credential.id).first()
    assert PIN.encode() not in bytes(row["sealed_secret"])
    document = await issue_document(tenant, pdf=sample_pdf("Sellado en HSM"),
                                    title="Sellado en HSM", tipo_documental="TD11", actor="t")
    _kernel.current().signing.forget(credential.id)  # closes the token session
    _, content = await read_content(tenant, document.id)
    [signature] = pdfsig(content)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."
