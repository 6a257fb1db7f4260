from django.urls import path

from . import team_pages, views

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

urlpatterns += [
    path("settings/team/", team_pages.team_settings, name="team"),
    path("settings/team/new/", team_pages.team_new, name="team_new"),
    path("settings/team/workspaces/", team_pages.workspaces, name="workspaces"),
    path("settings/team/switch/", team_pages.workspace_switch, name="workspace_switch"),
    path("settings/team/rename/", team_pages.team_rename, name="team_rename"),
    path("settings/team/avatar/", team_pages.team_avatar, name="team_avatar"),
    path("settings/team/invite/", team_pages.team_invite, name="team_invite"),
    path("settings/team/invitations/<uuid:invitation_id>/revoke/", team_pages.invitation_revoke, name="invitation_revoke"),
    path("settings/team/members/<uuid:member_id>/", team_pages.member_update, name="member_update"),
    path("settings/team/members/<uuid:member_id>/remove/", team_pages.member_remove, name="member_remove"),
    path("settings/team/leave/", team_pages.team_leave, name="team_leave"),
    path("settings/team/transfer/", team_pages.team_transfer, name="team_transfer"),
    path("settings/team/delete/", team_pages.team_delete, name="team_delete"),
    path("teams/join/<str:token>/", team_pages.team_join, name="team_join"),
]
