"""Every operation of ``/schema/openapi.json`` fuzzed by schemathesis (issue 18 item 12):
valid and invalid paths, queries and bodies, sent by a logged-in ``secretario`` of an
entity with every plugin enabled, never answer 5xx; a 2xx body matches the schema the
operation declares, and a 400 lists no made-up ``'tenant_slug'`` item.

Cases are drawn per operation (a bounded number, both generation modes) and sent through
the running app on the test's own event loop; the tenant in the path is the test's one so
the requests reach the handlers instead of stopping at the unknown-entity 404.
"""

from __future__ import annotations

import collections
import json

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.testing import csrf_headers

PLUGINS = ("registro", "expedientes", "notificaciones", "tablon", "cita_previa")
EXAMPLES = 6  # per operation and mode: ~60 s for the whole API on a shared two-core machine


def _draw(operation, mode: GenerationMode, slug: str) -> list:
    """A bounded number of cases of one operation, drawn without running the app."""
    cases: list = []
    strategy = operation.as_strategy(generation_mode=mode,
                                     path_parameters={"tenant_slug": slug}
                                     if "{tenant_slug}" in operation.path else None)

    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        pass
    return cases


async def _send(http: httpx.AsyncClient, case, headers: dict[str, str]) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("cookies", None)  # the client's own session cookie is what authenticates
    kwargs.pop("allow_redirects", None)
    kwargs.pop("verify", None)
    if "json" in kwargs:  # encoded as requests would (httpx's json= refuses NaN)
        kwargs["content"] = json.dumps(kwargs.pop("json"), ensure_ascii=False)
        kwargs.setdefault("headers", {})["content-type"] = "application/json"
    if isinstance(kwargs.get("data"), bytes | str):  # a raw body (a PDF, XML…)
        kwargs["content"] = kwargs.pop("data")
    return await http.request(**kwargs)


async def test_no_operation_answers_a_server_error(client, make_tenant, login):
    tenant = await make_tenant(plugins=PLUGINS)
    await login(client, tenant, "secretario")
    headers = await csrf_headers(client)
    document = await client.get("/schema/openapi.json")
    assert document.status_code == 200, document.text
    schema = schemathesis.openapi.from_dict(document.json())
    counts: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for case in _draw(operation, mode, tenant.slug):
                response = await _send(client, case, headers)
                counts["cases"] += 1
                if response.status_code >= 500:
                    counts["5xx"] += 1
                    errors.append(f"{response.status_code} {case.method} "
                                  f"{response.request.url} {case.body!r:.200}")
                elif response.is_success:  # a 2xx body matches its declared schema
                    try:
                        case.validate_response(response, checks=[response_schema_conformance])
                    except Exception as exc:  # schemathesis' FailureGroup, its report
                        counts["nonconforming"] += 1
                        errors.append(f"{case.method} {response.request.url}: {exc}")
                elif response.status_code == 400 and "'tenant_slug'" in response.text:
                    counts["spurious"] += 1
                    errors.append(f"400 {case.method} {response.request.url} {response.text}")
    print(dict(counts))
    assert counts["cases"] > 1000, counts  # every operation was reached
    assert not errors, "\n".join(errors[:40]) + f"\n({len(errors)} of {counts['cases']})"
