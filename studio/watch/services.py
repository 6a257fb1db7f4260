"""Writes of /watch/: which of a bible's clips (animations, lip-syncs) its creator shows there."""

from django.db import transaction

from media.models import MediaAsset

from ..models import Project, WatchClip


def watch_clips_set(*, project: Project, asset_ids) -> None:
    """Shows exactly these videos of the project on Watch (any other of its videos leaves at once).
    Ids that are not the project's live videos are ignored."""
    assets = list(MediaAsset.objects.filter(project=project, public_id__in=list(asset_ids), deleted_at__isnull=True,
                                            media_type=MediaAsset.MediaType.VIDEO).values_list("pk", flat=True))
    with transaction.atomic():
        WatchClip.objects.filter(project=project).exclude(asset_id__in=assets).delete()
        kept = set(WatchClip.objects.filter(project=project).values_list("asset_id", flat=True))
        WatchClip.objects.bulk_create([WatchClip(project=project, asset_id=pk) for pk in assets if pk not in kept])
