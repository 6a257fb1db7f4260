"""The product's default plans, packages and credit costs. Seeded by migration 0002 and by
`manage.py seed_plans`; after that they are data the superadmin edits in the admin.

Restyle (photo → style) is on every plan: every plan generates images, and restyle had no plan
flag of its own before `feature_restyle` (migration 0009 turned it on for the plans that existed)."""

from decimal import Decimal

PLANS = [
    dict(code="trial", name="Trial", sort_order=0, is_trial=True, is_default_for_signup=True, is_public=False,
         trial_days=14, trial_generation_cap=2, max_projects=1, daily_generation_limit=2, signup_credits=20,
         feature_restyle=True,
         description="Try MODO for 14 days: one project and two AI generations."),
    dict(code="free", name="Free", sort_order=10, price_monthly=Decimal("0"), price_yearly=Decimal("0"),
         credits_per_cycle=60, max_projects=3, daily_generation_limit=20, feature_restyle=True,
         description="Keep your bible going with 60 credits every month."),
    dict(code="basic", name="Basic", sort_order=20, price_monthly=Decimal("15"), price_yearly=Decimal("210"),
         credits_per_cycle=500, max_projects=10, daily_generation_limit=50, feature_upscale=True, feature_restyle=True,
         description="For a creator building one or two IPs seriously."),
    dict(code="premium", name="Premium", sort_order=30, price_monthly=Decimal("29"), price_yearly=Decimal("290"),
         credits_per_cycle=1200, max_projects=30, daily_generation_limit=100, feature_upscale=True, feature_restyle=True,
         feature_audio=True, feature_premium_models=True,
         description="Premium models, audio and more credits for a growing universe."),
    dict(code="pro", name="Pro", sort_order=40, credits_per_cycle=3000, daily_generation_limit=500,
         feature_video=True, feature_audio=True, feature_lipsync=True, feature_upscale=True, feature_restyle=True,
         feature_premium_models=True, description="For studios: video, lip-sync and high daily limits."),
    dict(code="unlimited", name="Unlimited", sort_order=50, credits_per_cycle=10000, daily_generation_limit=2000,
         feature_video=True, feature_audio=True, feature_lipsync=True, feature_upscale=True, feature_restyle=True,
         feature_premium_models=True, description="For production teams generating at scale."),
]

PACKAGES = [
    dict(code="credits-50", name="50 credits", credits=50, price=Decimal("4.99"), sort_order=10),
    dict(code="credits-200", name="200 credits", credits=200, price=Decimal("14.99"), sort_order=20),
    dict(code="credits-500", name="500 credits", credits=500, price=Decimal("29.99"), sort_order=30),
]

COSTS = [
    dict(kind="text", variant="fast", label="Text (fast model)", credits=3, sort_order=10),
    dict(kind="text", variant="premium", label="Text (premium model)", credits=8, sort_order=11),
    dict(kind="image", variant="t2i", label="Image from text", credits=5, sort_order=20),
    dict(kind="image", variant="i2i", label="Image from image", credits=5, sort_order=21),
    dict(kind="image", variant="upscale", label="Upscale", credits=5, sort_order=22),
    dict(kind="video", variant="", label="Video up to 5 s", credits=25, max_seconds=5, sort_order=30),
    dict(kind="video", variant="", label="Video 6–10 s", credits=50, max_seconds=10, sort_order=31),
    dict(kind="audio", variant="", label="Audio, per started 15 s", credits=1, per_seconds=15, sort_order=40),
    dict(kind="lipsync", variant="", label="Lip-sync, per started 10 s", credits=20, per_seconds=10, sort_order=50),
]


def seed(Plan, CreditPackage, CreditCost, *, reset: bool = False) -> dict[str, int]:
    """Creates the missing defaults; with reset=True also puts edited ones back. Returns counts."""
    counts = {"created": 0, "reset": 0}
    for model, rows, key in ((Plan, PLANS, ("code",)), (CreditPackage, PACKAGES, ("code",)),
                             (CreditCost, COSTS, ("kind", "variant", "max_seconds"))):
        known = {f.name for f in model._meta.get_fields()}
        for row in rows:
            lookup = {k: row.get(k, 0 if k == "max_seconds" else None) for k in key}
            # A field this (historical) schema does not have yet is left to the migration that adds it.
            defaults = {k: v for k, v in row.items() if k not in key and k in known}
            obj = model.objects.filter(**lookup).first()
            if obj is None:
                model.objects.create(**lookup, **defaults)
                counts["created"] += 1
            elif reset:
                for field, value in defaults.items():
                    setattr(obj, field, value)
                obj.save()
                counts["reset"] += 1
    return counts

# The payment gateways, switched off until the superadmin enters their keys in the admin.
GATEWAYS = [
    dict(code="midtrans", currency="IDR", sort_order=10),
    dict(code="xendit", currency="IDR", sort_order=20),
    dict(code="stripe", currency="USD", sort_order=30),
    dict(code="polar", currency="USD", sort_order=40),
]


def seed_gateways(PaymentGateway) -> None:
    for row in GATEWAYS:
        PaymentGateway.objects.get_or_create(code=row["code"], defaults=row)
