from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from . import statement
from .models import Order


class LedgerFilterForm(forms.Form):
    """The statement's filters, in the URL: ?kind=charge&month=2026-11."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *statement.KINDS])
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
                            validators=[RegexValidator(r"^(19|20)\d\d-(0[1-9]|1[0-2])$", _("Choose a month."))])


class OrderForm(forms.Form):
    package = forms.CharField(required=False)
    plan = forms.CharField(required=False)
    billing_cycle = forms.ChoiceField(choices=[("monthly", _("Monthly")), ("yearly", _("Yearly"))], required=False)
    gateway = forms.ChoiceField(choices=[("", "")] + Order.Gateway.choices, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("package")) == bool(data.get("plan")):
            raise forms.ValidationError(_("Choose a credit package or a plan."))
        data["billing_cycle"] = data.get("billing_cycle") or "monthly"
        return data
