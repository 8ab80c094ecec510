"""An anexo's file name is stored without its path and sent back per RFC 6266: never
``filename="../../etc/passwd.pdf"``, never a 500 for a CJK name (issue 18 item 11)."""

from __future__ import annotations

import base64

from core.testing import csrf_headers
from plugins.registro.tests.conftest import PDF
from plugins.registro.tests.test_asientos import ENTRADA


async def test_anexo_names_are_sanitised_and_sent_with_filename_star(client, make_entity,
                                                                     staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    anexos = [{"filename": name, "content": base64.b64encode(PDF).decode()}
              for name in ("../../etc/passwd.pdf", "申請書.pdf")]
    created = await client.post(f"{entity.api}/asientos", json={**ENTRADA, "anexos": anexos},
                                headers=await csrf_headers(client))
    assert created.status_code == 201, created.text
    body = created.json()
    assert [a["filename"] for a in body["anexos"]] == ["passwd.pdf", "申請書.pdf"]
    first = await client.get(f"{entity.api}/asientos/{body['id']}/anexos/0")
    assert first.headers["content-disposition"] == (
        "attachment; filename=\"passwd.pdf\"; filename*=UTF-8''passwd.pdf")
    second = await client.get(f"{entity.api}/asientos/{body['id']}/anexos/1")
    assert second.status_code == 200 and second.content == PDF
    assert "filename*=UTF-8''%E7%94%B3%E8%AB%8B%E6%9B%B8.pdf" in (
        second.headers["content-disposition"])
    assert second.headers["content-security-policy"] == "sandbox"
