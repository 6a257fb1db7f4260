from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .http import absolute_url
from .models import ContactMessage


def contact_message_create(*, name: str, email: str, topic: str, message: str, user=None, ip_address=None, user_agent="") -> ContactMessage:
    """Stores the message; the admins are emailed by a task once the row is committed."""
    from .tasks import contact_message_notify  # tasks import this module

    with transaction.atomic():
        msg = ContactMessage.objects.create(
            name=name, email=email, topic=topic, message=message,
            user=user if user and user.is_authenticated else None,
            ip_address=ip_address, user_agent=user_agent[:300],
        )
        transaction.on_commit(lambda: contact_message_notify.delay(msg.pk))
    return msg


def contact_recipients() -> list[str]:
    superusers = get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    return sorted(set(settings.CONTACT_EMAILS) | set(superusers))


def contact_message_notify(*, message_id: int) -> None:
    """Emails the admins once; a second delivery of the task sends nothing."""
    claimed = ContactMessage.objects.filter(pk=message_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return
    msg = ContactMessage.objects.get(pk=message_id)
    recipients = contact_recipients()
    if not recipients:
        return
    try:
        EmailMessage(
            subject=f"[MODO contact] {msg.get_topic_display()} — {msg.name}",
            body=render_to_string("emails/contact_notify.txt", {"msg": msg, "admin_url": absolute_url(reverse("admin:modo_contactmessage_change", args=[msg.pk]))}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            reply_to=[msg.email],
        ).send()
    except Exception:
        # Let a retry send it: the claim is undone so the message is not silently lost.
        ContactMessage.objects.filter(pk=message_id).update(notified_at=None)
        raise
