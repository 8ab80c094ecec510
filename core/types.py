"""Kernel value types for plugin settings, checked for meaning: an e-mail is an e-mail.

Use them in a plugin's settings Struct (``alcalde: Email = ""``) and add a title with
``Annotated[Email, msgspec.Meta(title=N_("Alcaldía"))]``. Each may be left empty, which
means "not configured". ``Secret`` is write-only: the console and the API never show its
value, only whether it is set, and an empty value in a change keeps the stored one.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
HOSTNAME_PATTERN = (r"^$|^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+(?::[0-9]{1,5})?$")
URL_PATTERN = r"^$|^https?://[^\s/?#]+\.[^\s/?#]+(?::[0-9]{1,5})?(?:[/?#]\S*)?$"

#: What a setting's kind is called in ``msgspec.Meta.extra`` (the console picks the input).
KIND = "concejo_kind"

Email = Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN,
                                    extra={KIND: "email"})]
Hostname = Annotated[str, msgspec.Meta(pattern=HOSTNAME_PATTERN, extra={KIND: "hostname"})]
Url = Annotated[str, msgspec.Meta(max_length=2000, pattern=URL_PATTERN, extra={KIND: "url"})]
Secret = Annotated[str, msgspec.Meta(max_length=4096, extra={KIND: "secret"})]
