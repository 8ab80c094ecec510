"""The demo's stand-in for Cl@ve: a newcomer picks one of the demo's citizens.

Registered only when the ``demo_login`` setting is on: ``concejo serve --demo`` turns it
on, and the production profile refuses to start with it. ``start`` answers with a page
listing the people of the demo data (``core.demo.DEMO_CITIZENS``, the interesados of
the plugins' demo examples); choosing one comes back to ``/login/with/demo/callback`` with the
flow's state, and ``finish`` names that person. From there the login is the real one: the
kernel checks the state and its cookie and opens an audited citizen session.
"""

from __future__ import annotations

from typing import Any, Literal

from core.demo import DEMO_CITIZENS
from core.identity.providers import ExternalIdentity, Flow, IdentityRejected
from core.web.i18n import N_
from core.web.pages import page


class DemoCitizenProvider:
    name = "demo"
    label = N_("Cl@ve (demostración)")
    audience: Literal["citizen", "staff"] = "citizen"

    async def start(self, request: Any, flow: Flow) -> Any:
        return await page(request, "core:login_demo.html", state=flow.state,
                          citizens=DEMO_CITIZENS, action=f"/login/with/{self.name}/callback")

    async def finish(self, request: Any, flow: Flow) -> ExternalIdentity:
        key = request.query_params.get("persona", "")
        for citizen in DEMO_CITIZENS:
            if citizen.key == key:
                return ExternalIdentity(provider=self.name, audience="citizen",
                                        nif=citizen.nif, name=citizen.name)
        raise IdentityRejected(N_("Elija una de las personas de la demostración"))
