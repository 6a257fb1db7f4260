"""Background work for media. Tasks take ids, load what they need and call one service."""

from celery import shared_task

from . import services
from .models import MediaAsset


@shared_task(ignore_result=True)
def asset_thumbnail(asset_id: int) -> None:
    """Makes the asset's thumbnail (and a video's poster frame). Gone or deleted assets are skipped."""
    asset = MediaAsset.objects.select_related("owner").filter(pk=asset_id, deleted_at__isnull=True).first()
    if asset is not None:
        services.asset_thumbnail_make(asset=asset)


@shared_task
def check_assets(limit: int = 500) -> dict:
    """The daily re-check of Drive files (linked and Drive-stored), oldest check first."""
    return services.assets_check_due(limit=limit)
