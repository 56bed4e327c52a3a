from django.urls import path

from clinics import views

app_name = "clinics"

urlpatterns = [
    path("clinics/<slug:slug>/", views.clinic_detail, name="clinic-detail"),
    path("clinics/<slug:slug>/enquiry/", views.enquiry, name="enquiry"),
    path("clinics/<slug:slug>/enquiry/sent/", views.enquiry_sent, name="enquiry-sent"),
    path("practitioners/<slug:slug>/", views.practitioner_detail, name="practitioner-detail"),
]
