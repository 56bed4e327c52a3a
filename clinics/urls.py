from django.urls import path

from clinics import views

app_name = "clinics"

urlpatterns = [
    path("clinics/<slug:slug>/", views.clinic_detail, name="clinic-detail"),
    path("clinics/<slug:slug>/enquiry/", views.enquiry, name="enquiry"),
    path("clinics/<slug:slug>/enquiry/sent/", views.enquiry_sent, name="enquiry-sent"),
    path("clinics/<slug:slug>/reviews/", views.clinic_reviews, name="reviews"),
    # The single-use link a review invitation carries.
    path("clinics/<slug:slug>/review/<str:token>/", views.review, name="review"),
    path("practitioners/<slug:slug>/", views.practitioner_detail, name="practitioner-detail"),
    # What each badge means.
    path("what-we-check/", views.what_we_check, name="what-we-check"),
    # A patient's shortlist, kept in their own browser, and the clinics side by side.
    path("shortlist/", views.shortlist_page, name="shortlist"),
    path("shortlist/add/", views.shortlist_add, name="shortlist-add"),
    path("shortlist/remove/", views.shortlist_remove, name="shortlist-remove"),
    path("compare/", views.compare, name="compare"),
    path("reviews/how-reviews-work/", views.how_reviews_work, name="how-reviews-work"),
    # "Report an error" on a clinic, practitioner or guide page (<kind>: clinic,
    # practitioner, guide; a guide is named by its treatment's slug).
    path("report/<str:kind>/<slug:slug>/", views.report_error, name="report-error"),
    path("report/<str:kind>/<slug:slug>/sent/", views.report_sent, name="report-sent"),
]
