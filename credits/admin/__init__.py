"""The credits app's admin, a module per part: the catalogue (plans), accounts and the ledger,
payments, the control room's User page and teams. Importing the package registers them all."""

from .accounts import CreditAccountAdmin, HoldAdmin, LedgerEntryAdmin
from .payments import OrderAdmin, PaymentEventAdmin, PaymentGatewayAdmin, PaymentSettingsAdmin, ReceiptAdmin
from .plans import CreditCostAdmin, CreditPackageAdmin, PlanAdmin, PlanListFilter, plan_name
from .teams import TeamAdmin
from .users import UserCreditsAdmin

__all__ = ["CreditAccountAdmin", "CreditCostAdmin", "CreditPackageAdmin", "HoldAdmin", "LedgerEntryAdmin", "OrderAdmin",
           "PaymentEventAdmin", "PaymentGatewayAdmin", "PaymentSettingsAdmin", "PlanAdmin", "PlanListFilter", "ReceiptAdmin",
           "TeamAdmin", "UserCreditsAdmin", "plan_name"]
