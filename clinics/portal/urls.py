from django.urls import path

from clinics.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_clinic, name="new-clinic"),
    path("claim/<slug:slug>/", views.claim, name="claim"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/verify/", views.request_verification, name="request-verification"),
    path("<slug:slug>/details/", views.edit_details, name="details"),
    path("<slug:slug>/hours/", views.edit_hours, name="hours"),
    path("<slug:slug>/prices/", views.edit_offers, name="offers"),
    path("<slug:slug>/practitioners/", views.practitioners, name="practitioners"),
    path("<slug:slug>/practitioners/add/", views.add_practitioner, name="add-practitioner"),
    path("<slug:slug>/practitioners/<int:pk>/", views.edit_practitioner, name="edit-practitioner"),
    path(
        "<slug:slug>/practitioners/<int:pk>/remove/",
        views.remove_practitioner,
        name="remove-practitioner",
    ),
    path("<slug:slug>/practitioners/ask/", views.request_listing, name="request-listing"),
    path(
        "<slug:slug>/practitioners/requests/<int:pk>/",
        views.decide_listing,
        name="decide-listing",
    ),
    path("<slug:slug>/photos/", views.photos, name="photos"),
    path("<slug:slug>/photos/<int:pk>/delete/", views.delete_photo, name="delete-photo"),
    path("<slug:slug>/confirm/", views.confirm_details, name="confirm"),
    path("<slug:slug>/next-available/", views.next_available, name="next-available"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/<int:pk>/remove/", views.remove_member, name="remove-member"),
    path("<slug:slug>/team/claims/<int:pk>/", views.decide_claim, name="decide-claim"),
    path("<slug:slug>/history/", views.history, name="history"),
    path("<slug:slug>/export.json", views.export, name="export"),
    path("<slug:slug>/reviews/", views.reviews, name="reviews"),
    path("<slug:slug>/reviews/<int:pk>/reply/", views.review_reply, name="review-reply"),
    path("<slug:slug>/reviews/<int:pk>/report/", views.review_flag, name="review-flag"),
    path("<slug:slug>/reports/", views.reports, name="reports"),
    path("<slug:slug>/reports/<int:pk>/close/", views.report_close, name="report-close"),
    path("<slug:slug>/enquiries/", views.enquiries, name="enquiries"),
    path("<slug:slug>/enquiries/<int:pk>/", views.enquiry, name="enquiry"),
    path("<slug:slug>/enquiries/<int:pk>/read/", views.enquiry_read, name="enquiry-read"),
    path(
        "<slug:slug>/enquiries/<int:pk>/answered/",
        views.enquiry_answered,
        name="enquiry-answered",
    ),
]
