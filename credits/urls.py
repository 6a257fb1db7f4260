from django.urls import path

from . import views

app_name = "credits"

urlpatterns = [
    path("settings/subscription/", views.subscription, name="subscription"),
    path("settings/credits/", views.credits_history, name="history"),
    path("settings/credits/live/", views.live, name="live"),
    path("settings/credits/statement.csv", views.credits_history_csv, name="history_csv"),
    path("settings/orders/new/", views.order_create, name="order_create"),
    path("settings/orders/<uuid:public_id>/", views.order_detail, name="order"),
    path("settings/orders/<uuid:public_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("settings/orders/<uuid:public_id>/status/", views.order_status, name="order_status"),
    path("settings/orders/<uuid:public_id>/receipt/", views.receipt_detail, name="receipt"),
    path("settings/orders/<uuid:public_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("trial-ended/", views.trial_ended, name="trial_ended"),
]
