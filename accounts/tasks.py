from celery import shared_task

from .notifications import emails


@shared_task
def send_notification_email(notification_id: int) -> int:
    """After commit: emails the notification now if its kind's window is open (else the flush will)."""
    from .models import Notification

    row = Notification.objects.filter(pk=notification_id).values("user_id", "kind").first()
    if row is None:
        return 0
    return emails.notification_email_deliver(user_id=row["user_id"], kind=row["kind"])


@shared_task
def flush_notification_emails() -> int:
    """Every minute: the digests whose window has passed."""
    return emails.notification_emails_flush()
