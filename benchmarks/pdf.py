"""Render speed of core.documents.pdf: pages per second for short and long documents.

Run: .venv/bin/python benchmarks/pdf.py [--rounds N]
A one-page certificado and a ten-page acta are rendered to PDF/A-3b with the CSV footer;
the first render (font loading) is reported apart.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import jinja2
from pypdf import PdfReader

from core.documents.csvcode import new_csv
from core.documents.pdf import pdf_template_loader, render_pdf

TEMPLATE = """{% extends "pdf/base.html" %}
{% block header %}<strong>Ayuntamiento de Ólvega (demo)</strong>{% endblock %}
{% block content %}<h1>{{ title }}</h1>
{% for n in range(paragraphs) %}
<p>{{ n + 1 }}. Visto el expediente y de conformidad con el artículo 21.1.s) de la Ley 7/1985,
reguladora de las Bases del Régimen Local, esta Alcaldía resuelve aprobar la liquidación
correspondiente, notificándola a los interesados con indicación de los recursos procedentes.</p>
{% endfor %}{% endblock %}"""
ENV = jinja2.Environment(
    loader=jinja2.ChoiceLoader([jinja2.DictLoader({"doc.html": TEMPLATE}), pdf_template_loader()]),
    autoescape=True,
)


def render(paragraphs: int) -> tuple[float, int]:
    csv = new_csv()
    started = time.perf_counter()
    data = render_pdf(
        "doc.html",
        {"title": "Documento de prueba", "paragraphs": paragraphs},
        csv=csv,
        verify_url=f"https://sede.example/verificar/{csv}",
        title="Documento de prueba",
        env=ENV,
    )
    elapsed = time.perf_counter() - started
    return elapsed, len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    cold, _ = render(3)
    print(f"first render (cold): {cold * 1000:.0f} ms")
    for label, paragraphs in (("certificado", 3), ("acta", 110)):
        times, pages = zip(*(render(paragraphs) for _ in range(rounds)), strict=True)
        median = statistics.median(times)
        print(
            f"{label}: {pages[0]} page(s), median {median * 1000:.0f} ms/document, "
            f"{pages[0] / median:.1f} pages/s, {median / pages[0] * 1000:.0f} ms/page "
            f"({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
