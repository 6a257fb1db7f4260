"""/api/v1/notifications: the inbox for scripts and apps — newest first, written in the caller's
language, with the unread count; read one or all."""

from uuid import UUID

from ninja import Query, Router, Schema

from modo import envelope
from modo.http import absolute_url

from . import selectors, services
from .kinds import text_of

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: UUID
    kind: str
    title: str
    body: str
    url: str
    image_url: str
    read: bool
    created_at: str


class InboxOut(Schema):
    unread: int
    notifications: list[NotificationOut]


class InboxEnvelope(Schema):
    success: bool = True
    data: InboxOut


class ReadOut(Schema):
    unread: int


class ReadEnvelope(Schema):
    success: bool = True
    data: ReadOut


def _out(n, request) -> dict:
    text = text_of(n)
    return {"id": n.public_id, "kind": n.kind, "title": text.title, "body": text.body,
            "url": absolute_url(n.url, request) if n.url.startswith("/") else n.url,
            "image_url": absolute_url(n.image_url, request) if n.image_url else "",
            "read": n.read_at is not None, "created_at": n.created_at.isoformat()}


@router.get("/notifications", response={200: InboxEnvelope, **envelope.ERRORS}, summary="The notifications inbox")
def inbox(request, limit: int = Query(20, ge=1, le=100, description="How many, newest first"),
          unread: bool = Query(False, description="Only the unread ones")):
    found = selectors.notification_inbox(user=request.auth)
    if unread:
        found = found.filter(read_at__isnull=True)
    return envelope.ok({"unread": selectors.notification_unread_count(user=request.auth),
                        "notifications": [_out(n, request) for n in found[:limit]]})


@router.post("/notifications/{notification_id}/read", response={200: ReadEnvelope, **envelope.ERRORS},
             summary="Mark one notification read")
def read_one(request, notification_id: UUID):
    services.notification_read(user=request.auth, notification=selectors.notification_get(
        user=request.auth, public_id=notification_id))
    return envelope.ok({"unread": selectors.notification_unread_count(user=request.auth)})


@router.post("/notifications/read-all", response={200: ReadEnvelope, **envelope.ERRORS},
             summary="Mark every notification read")
def read_all(request):
    services.notifications_read_all(user=request.auth)
    return envelope.ok({"unread": 0})
