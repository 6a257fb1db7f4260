"""What every page needs to know of media: whether Google Drive can be connected here (the
storage settings and every Drive call-out show only where it can)."""

from . import drive


def drive_settings(request):
    return {"drive_configured": drive.configured()}
