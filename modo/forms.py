import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .models import ContactMessage

# A human needs a few seconds to write a message; a bot posting at once is dropped.
MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 24 * 3600
_SALT = "modo.contact.started"


class ContactForm(forms.ModelForm):
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "topic", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=_SALT)
        self.fields["message"].min_length = 10
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(_("Please write a little more (at least 10 characters)."))
        return message

    def is_spam(self) -> bool:
        """True for a filled honeypot or a form posted too fast or with a forged timestamp."""
        if self.cleaned_data.get("website"):
            return True
        try:
            started = signing.loads(self.cleaned_data.get("started", ""), salt=_SALT, max_age=MAX_FORM_AGE_SECONDS)
        except signing.BadSignature:
            return True
        return time.time() - float(started) < MIN_FILL_SECONDS
