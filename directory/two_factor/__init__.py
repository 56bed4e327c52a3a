"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password.

Optional for everyone; required for the admin when ADMIN_REQUIRES_TWO_FACTOR is on. Built on
django-otp: its TOTP and static (backup code) devices, their throttling, and OTPMiddleware,
which marks a session verified once a code has been accepted in it.
"""
