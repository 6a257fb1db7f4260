"""The mail vendor's tracking webhook (django-anymail, /anymail/<vendor>/tracking/): a bounce, a
complaint or a rejection marks the address undeliverable, and nothing more is emailed to it.
The receiver only hands the event to the service."""

from anymail.signals import EventType

from .services import email_undeliverable_mark

STOP_EVENTS = {EventType.BOUNCED, EventType.COMPLAINED, EventType.REJECTED, EventType.UNSUBSCRIBED}


def tracking_received(sender, event, esp_name, **kwargs) -> None:
    if event.event_type in STOP_EVENTS and event.recipient:
        reason = f"{esp_name}: {event.event_type}"
        if event.reject_reason:
            reason += f" ({event.reject_reason})"
        email_undeliverable_mark(email=event.recipient, reason=reason)
