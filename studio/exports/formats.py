"""The downloadable export files: which formats exist (json: the dump, zip: the Markdown zip),
their extension and content type, the bytes of one for a project and its file name. Both the
download at once (studio.exports.views) and the background build (studio.exports.background) go
through here.
"""

from ..models import Project
from .dump import bible_json
from .markdown import bible_markdown_zip

# fmt -> (file extension, content type)
FILE_FORMATS = {
    "json": ("json", "application/json"),
    "zip": ("zip", "application/zip"),
}


def export_bytes(project: Project, fmt: str) -> bytes:
    return {"json": bible_json, "zip": bible_markdown_zip}[fmt](project)


def export_filename(project: Project, fmt: str) -> str:
    return f"{project.slug or 'bible'}.{FILE_FORMATS[fmt][0] if fmt in FILE_FORMATS else fmt}"
