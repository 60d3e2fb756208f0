"""PDF documents from print templates (WeasyPrint): GDPR exports, the access report, letters.

The print templates are plain HTML with their own print CSS (A4, page numbers); this module adds
the Titillium Web font of Bootstrap Italia and lets WeasyPrint read nothing but that font: no
network, no other file, whatever a template might reference.
"""

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

FONT_DIR = "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-"
# (weight, style) → file of the font shipped by Bootstrap Italia's static files.
FONT_FACES = {
    ("400", "normal"): "regular.ttf",
    ("400", "italic"): "italic.ttf",
    ("600", "normal"): "600.ttf",
    ("700", "normal"): "700.ttf",
}


def _font_urls() -> dict[tuple[str, str], str]:
    found = {face: finders.find(FONT_DIR + name) for face, name in FONT_FACES.items()}
    return {face: path2url(str(path)) for face, path in found.items() if path}


class FontsOnly(URLFetcher):
    """Lets WeasyPrint read the font files and refuses every other address."""

    def __init__(self, allowed: set[str]) -> None:
        super().__init__(allowed_protocols={"file"})
        self.allowed = allowed

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url not in self.allowed:
            raise ValueError(f"Risorsa non consentita nei PDF: {url}")
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """The template rendered as an A4 PDF (the page size and margins are the template's)."""
    html = render_to_string(template_name, context)
    fonts = _font_urls()
    faces = "".join(
        f'@font-face {{ font-family: "Titillium Web"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{url}"); }}'
        for (weight, style), url in fonts.items()
    )
    font_config = FontConfiguration()
    fetcher = FontsOnly(set(fonts.values()))
    font_css = CSS(string=faces, font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[font_css], font_config=font_config)


def attachment(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    """A download that no cache keeps: every export carries personal data."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response
