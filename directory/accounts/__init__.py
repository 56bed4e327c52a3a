"""Accounts for clinic staff and admins, on django-allauth.

allauth does sign-up with a verified email, sign-in by email, password reset and two-step
sign-in (`allauth.mfa`: authenticator apps, recovery codes, passkeys). What is ours: how an
email typed at sign-in is normalised and which account its failures count against
(`adapter.py`), a 429 once they are too many (`views.py`), and the admin site that sends
staff through a second step before it opens (`admin_site.py`).
"""
