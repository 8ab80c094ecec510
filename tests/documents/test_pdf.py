"""PDF generation: CSV, QR and page numbers on every page, PDF/A-3b, nothing fetched."""

from __future__ import annotations

import base64
import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
import segno
from lxml import etree
from pypdf import PdfReader

from core.documents.csvcode import InvalidCsv, new_csv
from core.documents.pdf import (
    ResourceRefused,
    pdf_template_loader,
    qr_data_uri,
    render_html,
    render_pdf,
)

CSV = new_csv()
VERIFY_URL = f"https://sede.soria.example/verificar/{CSV}"
DOCUMENT = """{% extends "pdf/base.html" %}
{% block header %}<strong>{{ entity }}</strong>{% endblock %}
{% block content %}<h1>{{ heading }}</h1>
{% for section in sections %}
<section style="page-break-before: {{ 'auto' if loop.first else 'always' }}">
<h2>{{ section }}</h2><p>Vista la solicitud presentada, se resuelve conceder la licencia.</p>
</section>
{% endfor %}{% endblock %}"""


def plugin_environment(**templates: str) -> jinja2.Environment:
    """An environment as a plugin builds it: its own templates first, then the kernel's."""
    loader = jinja2.ChoiceLoader([jinja2.DictLoader(templates), pdf_template_loader()])
    return jinja2.Environment(loader=loader, autoescape=True)


@pytest.fixture(scope="module")
def three_pages() -> PdfReader:
    data = render_pdf(
        "resolucion.html",
        {
            "entity": "Ayuntamiento de Ágreda",
            "heading": "Resolución <b>de</b> Alcaldía",
            "sections": ["Antecedentes", "Fundamentos", "Resuelvo"],
        },
        csv=CSV.lower().replace("-", " "),
        verify_url=VERIFY_URL,
        title="Resolución de Alcaldía 2025/0042",
        env=plugin_environment(**{"resolucion.html": DOCUMENT}),
    )
    return PdfReader(io.BytesIO(data))


def test_every_page_has_csv_and_page_number(three_pages: PdfReader) -> None:
    assert len(three_pages.pages) == 3
    for number, page in enumerate(three_pages.pages, start=1):
        text = page.extract_text()
        assert f"Página {number} de 3" in text
        assert CSV in text, "the CSV in canonical form"
        assert VERIFY_URL in re.sub(r"\s+", "", text)
    first = three_pages.pages[0].extract_text()
    assert "Resolución <b>de</b> Alcaldía" in first, "context is escaped"
    assert "Ayuntamiento de Ágreda" in first


def test_qr_on_every_page_encodes_the_verification_url(three_pages: PdfReader) -> None:
    expected = [
        [bool(module) for module in row]
        for row in segno.make(VERIFY_URL, error="m").matrix_iter(scale=1, border=4)
    ]
    for page in three_pages.pages:
        (image,) = page.images
        pixels = image.image.convert("L")
        assert pixels.size == (len(expected), len(expected))
        found = [
            [pixels.getpixel((x, y)) < 128 for x in range(pixels.width)]
            for y in range(pixels.height)
        ]
        assert found == expected


def test_pdf_a_3b_identification(three_pages: PdfReader) -> None:
    xmp = etree.fromstring(three_pages.xmp_metadata.stream.get_data())
    pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    ids = {
        name: value
        for element in xmp.iter()
        for name, value in element.attrib.items()
        if name.startswith(f"{{{pdfaid}}}")
    }
    assert ids == {f"{{{pdfaid}}}part": "3", f"{{{pdfaid}}}conformance": "B"}
    root = three_pages.trailer["/Root"]
    (intent,) = root["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()
    assert root["/Lang"] == "es"
    assert three_pages.metadata.title == "Resolución de Alcaldía 2025/0042"
    assert not three_pages.is_encrypted


def embedded_fonts(reader: PdfReader) -> list[str]:
    """The names of the fonts the pages use, each checked to be embedded."""
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"]
                fonts.append(str(descriptor["/FontName"]))
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor
    return fonts


def test_fonts_are_embedded(three_pages: PdfReader) -> None:
    assert any("DejaVu" in name for name in embedded_fonts(three_pages))


def test_a_declared_font_does_not_outlive_its_document() -> None:
    """Renders keep their thread's font set-up, but not a font a document brought with
    ``@font-face``: the next document naming that family gets the default."""
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
    face = "data:font/ttf;base64," + base64.b64encode(font.read_bytes()).decode()
    page = ('{% extends "pdf/base.html" %}{% block style %}STYLE p { font-family: Prueba; }'
            '{% endblock %}{% block content %}<p>Texto</p>{% endblock %}')
    declared = "@font-face { font-family: Prueba; src: url({{ face }}); }"
    env = plugin_environment(**{"own.html": page.replace("STYLE", declared),
                                "plain.html": page.replace("STYLE", "")})
    fonts = [embedded_fonts(PdfReader(io.BytesIO(render_pdf(
        name, {"face": face}, csv=CSV, verify_url=VERIFY_URL, title="x", env=env))))
        for name in ("own.html", "plain.html")]
    assert any("Prueba" in name for name in fonts[0]), fonts[0]
    assert not any("Prueba" in name for name in fonts[1]), fonts[1]


def test_kernel_environment_and_other_languages() -> None:
    data = render_pdf(
        "pdf/base.html", {}, csv=CSV, verify_url=VERIFY_URL, title="Diligència", lang="ca"
    )
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Pàgina 1 de 1" in text and "Codi segur de verificació" in text and CSV in text


def test_html_preview_carries_the_footer_data() -> None:
    html = render_html("pdf/base.html", {}, csv=CSV, verify_url=VERIFY_URL, title="Acta", lang="en")
    assert qr_data_uri(VERIFY_URL) in html
    assert '<html lang="en">' in html and "<title>Acta</title>" in html
    assert '"Page " counter(page) " of " counter(pages)' in html


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"csv": "ABC"}, InvalidCsv),
        ({"lang": "fr"}, ValueError),
        ({"context": {"pdf": "mine"}}, ValueError),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception]) -> None:
    arguments = {"csv": CSV, "verify_url": VERIFY_URL, "title": "x", "context": {}} | kwargs
    context = arguments.pop("context")
    with pytest.raises(error):
        render_html("pdf/base.html", context, **arguments)


@pytest.fixture
def watched_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request it receives."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(segno.make("x").png_data_uri().encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{base}/logo.png">',
        "<style>@import url({base}/evil.css);</style>",
        '<div style="background: url({base}/pixel.png)">x</div>',
        '<img src="file:///etc/passwd">',
    ],
)
def test_nothing_is_fetched(watched_server: tuple[str, list[str]], markup: str) -> None:
    base, requests = watched_server
    template = '{% extends "pdf/base.html" %}{% block content %}' + markup.format(base=base)
    env = plugin_environment(**{"evil.html": template + "{% endblock %}"})
    with pytest.raises(ResourceRefused, match="data: URIs"):
        render_pdf("evil.html", {}, csv=CSV, verify_url=VERIFY_URL, title="x", env=env)
    assert requests == []


def test_data_uri_images_are_allowed() -> None:
    logo = segno.make("escudo").png_data_uri(scale=2)
    env = plugin_environment(
        **{
            "logo.html": '{% extends "pdf/base.html" %}{% block header %}'
            '<img src="{{ logo }}" alt="escudo">{% endblock %}'
        }
    )
    data = render_pdf(
        "logo.html", {"logo": logo}, csv=CSV, verify_url=VERIFY_URL, title="x", env=env
    )
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 2
