"""The pitch bible: the whole bible as one standalone, print-ready HTML page (A4, one section a
page, pictures inlined as data URIs) that a browser shows, downloads or saves as PDF, and the same
page as a PDF file made by WeasyPrint. The layout is the template studio/export/pitch_bible.html.

The PDF's pictures are named `modo-image:<name>` and reach WeasyPrint only through
`BibleImageFetcher`, which hands over the bytes the Bible read from our own storage and refuses
every other address: making a PDF never fetches anything from the network.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from modo.pdf import html_to_pdf

from ..models import Project
from .bible import Bible

IMAGE_SCHEME = "modo-image"


def _context(bible: Bible, *, src) -> dict:
    """The template's context; `src(image)` is how a picture is addressed (data URI or fetcher name)."""
    project, images = bible.project, bible.images
    relationships = bible.relationships_by_character()

    def image_src(key):
        return src(images[key]) if key in images else ""

    return {
        "project": project, "story": bible.story, "world": bible.world, "beats": bible.beats,
        "characters": [{"character": c, "relationships": relationships.get(c.pk, []), "image": image_src(c.pk)}
                       for c in bible.characters],
        "locations": bible.locations, "scenes": bible.scenes, "cover": image_src("cover"),
        "moodboards": [{"moodboard": m, "image": image_src(("moodboard", m.pk))} for m in bible.moodboards],
        "animations": [{"animation": a, "poster": image_src(("animation", a.asset.pk))} for a in bible.animations],
        "exported_at": timezone.now(),
    }


def pitch_bible_html(project: Project, *, request=None, for_download: bool = False) -> str:
    """A standalone, print-ready page (A4, one section a page) that a browser saves as PDF."""
    context = _context(Bible(project), src=lambda image: image.data_uri)
    return render_to_string("studio/export/pitch_bible.html", {**context, "for_download": for_download},
                            request=request)


def pitch_bible_pdf(project: Project, *, request=None) -> bytes:
    """The pitch bible as a PDF file (A4), its pictures read from our storage."""
    bible = Bible(project)
    context = _context(bible, src=lambda image: f"{IMAGE_SCHEME}:{image.name}")
    html = render_to_string("studio/export/pitch_bible.html", {**context, "for_download": True, "for_pdf": True},
                            request=request)
    fetcher = BibleImageFetcher({image.name: image for image in bible.images.values()})
    return html_to_pdf(html, url_fetcher=fetcher)


class BibleImageFetcher:
    """WeasyPrint's url_fetcher for the pitch PDF: the bible's own pictures by name, nothing else."""

    _fail_on_errors = False  # a picture left out is a warning in WeasyPrint's log, not a failed PDF

    def __init__(self, images: dict):
        self.images = images

    def __call__(self, url: str):
        from weasyprint.urls import URLFetcherResponse

        scheme, _sep, name = url.partition(":")
        image = self.images.get(name) if scheme == IMAGE_SCHEME else None
        if image is None:
            raise ValueError(f"the pitch PDF reads only the bible's own pictures, not {url[:80]!r}")
        return URLFetcherResponse(url, body=image.data, headers={"Content-Type": image.mime})
