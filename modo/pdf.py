"""HTML to PDF with WeasyPrint: the one PDF path (the pitch bible, receipts)."""


def html_to_pdf(html: str, *, url_fetcher=None) -> bytes:
    """Renders `html` (A4 unless its CSS says otherwise). `url_fetcher` answers every URL the page
    names; without one, the page may name none (nothing is fetched from the network)."""
    from PIL import ImageFile
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    # Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images; the
    # upload decoder (modo/imaging.py) must keep refusing them. Our PDFs only embed our own
    # stored pictures, re-encoded when they were stored, so they need no such leniency.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html, url_fetcher=url_fetcher or _refuse).write_pdf()


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"no URL may be fetched for this PDF: {url[:80]}")
