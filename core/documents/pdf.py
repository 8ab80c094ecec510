"""PDF generation: Jinja2 template → HTML → PDF/A-3b with WeasyPrint.

Every document extends ``pdf/base.html``, whose footer carries on every page the CSV
(código seguro de verificación), a QR code to the verification URL and "Página n de m".
A plugin renders its own templates by passing an Environment whose loader also reaches
:func:`pdf_template_loader`::

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("plugins.padron"), pdf_template_loader()]),
        autoescape=True,
    )
    render_pdf("padron/certificado.html", {...}, csv=..., verify_url=..., title=..., env=env)

Rendering fetches nothing: images must be ``data:`` URIs, and any other URL stops the
render with :class:`ResourceRefused`, so no document can reach a network or a local file.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import jinja2
import msgspec
import segno
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from core.documents.csvcode import normalize_csv

PDF_VARIANT = "pdf/a-3b"


_threads = threading.local()


def _font_config(html: str) -> FontConfiguration:
    """The font configuration for a render: this thread's own, made once (setting up
    fontconfig and Pango was ~40 % of a one-page render), unless the document declares
    ``@font-face``, whose fonts would stay in a kept configuration. Not shared between
    threads: Pango's font map is not thread-safe."""
    if "@font-face" in html:
        return FontConfiguration()
    if not hasattr(_threads, "fonts"):
        _threads.fonts = FontConfiguration()
    return _threads.fonts


class ResourceRefused(ValueError):
    """A template referred to something other than a ``data:`` URI."""


class FooterLabels(msgspec.Struct, frozen=True):
    """Words of the footer in one language; ``page`` and ``of`` frame the page counters."""

    csv: str
    verify: str
    qr: str
    page: str
    of: str


LABELS: dict[str, FooterLabels] = {
    "es": FooterLabels(
        "Código seguro de verificación (CSV)",
        "Compruebe su autenticidad en",
        "Código QR de verificación",
        "Página ",
        " de ",
    ),
    "ca": FooterLabels(
        "Codi segur de verificació (CSV)",
        "Comproveu-ne l'autenticitat a",
        "Codi QR de verificació",
        "Pàgina ",
        " de ",
    ),
    "gl": FooterLabels(
        "Código seguro de verificación (CSV)",
        "Comprobe a súa autenticidade en",
        "Código QR de verificación",
        "Páxina ",
        " de ",
    ),
    "eu": FooterLabels(
        "Egiaztapen-kode segurua (EKS)",
        "Egiaztatu benetakotasuna hemen:",
        "Egiaztapeneko QR kodea",
        "Orria ",
        " / ",
    ),
    "en": FooterLabels(
        "Secure verification code (CSV)",
        "Check its authenticity at",
        "Verification QR code",
        "Page ",
        " of ",
    ),
}


class PdfContext(msgspec.Struct, frozen=True):
    """What ``pdf/base.html`` receives as ``pdf``."""

    csv: str
    verify_url: str
    title: str
    lang: str
    qr_data_uri: str
    labels: FooterLabels


def pdf_template_loader() -> jinja2.BaseLoader:
    """Loader of the kernel's PDF templates (``pdf/base.html``, ``pdf/base.css``)."""
    return jinja2.PackageLoader("core.documents", "templates")


@functools.cache
def default_environment() -> jinja2.Environment:
    """The kernel's own environment: strict about undefined names, HTML autoescaped."""
    return jinja2.Environment(
        loader=pdf_template_loader(),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def qr_data_uri(url: str) -> str:
    """PNG data URI of the QR code of ``url``: one pixel per module, quiet zone of four."""
    return segno.make(url, error="m", micro=False).png_data_uri(
        scale=1, border=4, dark="#000", light="#fff"
    )


def render_html(
    template_name: str,
    context: dict[str, Any],
    *,
    csv: str,
    verify_url: str,
    title: str,
    lang: str = "es",
    env: jinja2.Environment | None = None,
) -> str:
    """The HTML that :func:`render_pdf` would print (useful for previews)."""
    if lang not in LABELS:
        raise ValueError(f"no footer labels for language {lang!r}; have {sorted(LABELS)}")
    if "pdf" in context:
        raise ValueError("'pdf' is reserved for the footer data in document templates")
    footer = PdfContext(
        csv=normalize_csv(csv),
        verify_url=verify_url,
        title=title,
        lang=lang,
        qr_data_uri=qr_data_uri(verify_url),
        labels=LABELS[lang],
    )
    template = (env or default_environment()).get_template(template_name)
    return template.render({**context, "pdf": footer})


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    csv: str,
    verify_url: str,
    title: str,
    lang: str = "es",
    env: jinja2.Environment | None = None,
) -> bytes:
    """Render a document template to PDF/A-3b bytes with the CSV footer on every page."""
    html = render_html(
        template_name, context, csv=csv, verify_url=verify_url, title=title, lang=lang, env=env
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
            font_config=_font_config(html))
    except FatalURLFetchingError as exc:
        raise ResourceRefused(f"{exc}: PDF templates may only use data: URIs") from exc
    return document.write_pdf(pdf_variant=PDF_VARIANT)
