from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Notification, NotificationPreference


class NotificationSettingsForm(forms.Form):
    """One choice per kind (in the app and by email / app only / email only / off) and the
    low-credit threshold."""

    low_credits_threshold = forms.IntegerField(
        label=_("Warn me when my available credits fall below"), min_value=0, max_value=1_000_000,
        help_text=_("0 turns the warning off."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=NotificationPreference.Channel.choices,
                initial=NotificationPreference.Channel.ALL)

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in Notification.Kind.values]

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in Notification.Kind.values}
