"""Settings for the London physiotherapy directory, read from the environment.

Defaults make `manage.py runserver` work on a fresh clone (SQLite, DEBUG on, console email).
Anything set in the environment is checked here and a bad value stops the site at start-up
with a message naming the variable, rather than misbehaving later.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name, default):
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name, default):
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that can require two-step sign-in.
    "directory.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "simple_history",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    # Accounts: sign-up with a verified email, sign-in by email, password reset, and
    # two-step sign-in (authenticator apps, recovery codes, passkeys).
    "allauth",
    "allauth.account",
    "directory.accounts.apps.MFAConfig",
    # The outbox: every email is stored, then sent (and retried) by `manage.py outbox`.
    "directory.accounts.apps.OutboxConfig",
    "treatments",
    "clinics",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with hashed names and far-future caching, compressed, without a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed too (static files come compressed from WhiteNoise). Django pads
    # compressed responses with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # allauth's request context (its sign-in stages, rate limits).
    "allauth.account.middleware.AccountMiddleware",
    "directory.accounts.middleware.NoStoreAccountPages",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change, for the history of listings and guides.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page that showed the visitor's shortlist is theirs alone (Cache-Control: private).
    "clinics.shortlist.PrivateWhenShown",
]

ROOT_URLCONF = "directory.urls"

# The pages of treatments, conditions and areas are the public site's (directory/urls.py:
# a guide with figures from the listings, search landing pages), so the site says where each
# is: the apps below it name no page of the layer above.
ABSOLUTE_URL_OVERRIDES = {
    "treatments.treatment": lambda treatment: reverse("treatment-detail", args=[treatment.slug]),
    "treatments.condition": lambda condition: reverse("condition-detail", args=[condition.slug]),
    "clinics.area": lambda area: reverse("area-detail", args=[area.slug]),
    # A guide's draft is seen as patients will see it on the staff-only preview.
    "treatments.guiderevision": lambda revision: reverse("guide-preview", args=[revision.guide_id]),
}
WSGI_APPLICATION = "directory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The visitor's shortlist (clinics/shortlist.py).
                "clinics.shortlist.context",
            ],
        },
    },
]

# SQLite unless DATABASE_URL names another database, e.g.
# postgres://postgres@127.0.0.1:5432/physio
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from None
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each transaction takes SQLite's write lock when it begins, so that a check and the
    # write it guards (a clinic's photo quota) cannot interleave with another request's.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploaded photos from the site itself (one server, local disk). Off when a web server
# or object storage serves MEDIA_URL instead.
SERVE_MEDIA = envbool("SERVE_MEDIA", "true")

# Every email goes into the outbox (django-mailer's queue, in the database) inside the request,
# and `manage.py outbox` (started by `make run` and `make serve`) sends it through
# EMAIL_BACKEND, keeping it for a retry while the mail server is unreachable: no page waits
# for the mail server and no email is lost when it is down.
EMAIL_BACKEND = "mailer.backend.DbBackend"
MAILER_EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# A deferred email is tried again this often, for up to OUTBOX_MAX_RETRIES tries (about a day
# and a half at the default), then kept, marked failed, for an admin to see.
OUTBOX_RETRY_SECONDS = envint("OUTBOX_RETRY_SECONDS", "600")
OUTBOX_MAX_RETRIES = envint("OUTBOX_MAX_RETRIES", "200")
MAILER_EMAIL_MAX_RETRIES = OUTBOX_MAX_RETRIES
# A round of sending stops after this many failures (the server is likely down): the rest wait.
MAILER_EMAIL_MAX_DEFERRED = 3
MAILER_ERROR_HANDLER = "directory.outbox.defer_on_failure"
# One worker per deployment; rows are locked while sent (PostgreSQL), no lock file is needed.
MAILER_USE_FILE_LOCK = False
# What was sent or deferred is logged (the admin's "Outbox" shows subjects and recipients,
# never bodies) and the log is deleted after this many days by the worker's daily round.
OUTBOX_LOG_DAYS = envint("OUTBOX_LOG_DAYS", "7")
EMAIL_TIMEOUT = 20
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "London Physio Directory <hello@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# A guide's clinical review is flagged as due this many months after the last one.
GUIDE_REVIEW_MONTHS = envint("GUIDE_REVIEW_MONTHS", "12")

# Search: a postcode finds clinics within this many miles of its district's centre.
SEARCH_RADIUS_MILES = envint("SEARCH_RADIUS_MILES", "3")
SEARCH_PAGE_SIZE = 20
# Each process rebuilds its listings index (clinics/index.py) whole this often, so that what
# no change announces (the 90-day window of reply times) moves on too.
INDEX_REBUILD_SECONDS = envint("INDEX_REBUILD_SECONDS", "3600")
# Listings not confirmed for this long sort after fresh ones, and say so...
LISTING_STALE_AFTER_MONTHS = envint("LISTING_STALE_AFTER_MONTHS", "12")
# ...and after this long they leave the search results until the clinic confirms them.
LISTING_HIDDEN_AFTER_MONTHS = envint("LISTING_HIDDEN_AFTER_MONTHS", "18")
# The admin home counts listings this many days or fewer from being hidden, to chase them.
LISTING_HIDDEN_SOON_DAYS = envint("LISTING_HIDDEN_SOON_DAYS", "30")

# Clinic photos (clinics/images.py). Checked before decoding; every photo is re-encoded.
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", str(10 * 1024 * 1024))
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", "40000000")
# What decoding one photo may cost in memory, worked out from its header: 100 MB is 25 million
# colour pixels of a PNG or WebP (a JPEG is decoded at a reduced scale, so costs far less).
PHOTO_MAX_DECODE_MEGABYTES = envint("PHOTO_MAX_DECODE_MEGABYTES", "100")
PHOTO_MAX_SIDE = 1600
PHOTO_THUMBNAIL_SIDE = 480
PHOTO_QUOTA_PER_CLINIC = envint("PHOTO_QUOTA_PER_CLINIC", "20")
# Uploads larger than this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A colleague's invitation link works once, for this many days.
INVITATION_MAX_AGE_DAYS = envint("INVITATION_MAX_AGE_DAYS", "7")

# --- Accounts (django-allauth) ---------------------------------------------------------------
# Accounts are for clinic staff and admins; patients need none. Everyone signs in with their
# email address, which they must have verified; usernames are made up behind the scenes.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "directory.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "directory.accounts.forms.LoginForm",
    "signup": "directory.accounts.forms.SignupForm",
    "reset_password": "directory.accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link previewer must not verify an address
# Sign-up and password reset answer the same whether or not an account exists: the owner of
# an address in use is told by email instead. Nothing is sent to addresses with no account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Reset links (Django's token) work for three days, and once: the password they set changes
# the token.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
# Sign-in failures allowed per account and per address in a window before a pause.
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", "10")
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", "50")
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", "900")
# Password reset emails per address asked for, and requests per client, in an hour.
PASSWORD_RESETS_PER_EMAIL = envint("PASSWORD_RESETS_PER_EMAIL", "3")
PASSWORD_RESETS_PER_ADDRESS = envint("PASSWORD_RESETS_PER_ADDRESS", "20")
# allauth's rate limits, counted in the shared cache. "key" is the account an attempt names
# (directory/accounts/adapter.py: the account the normalised email resolves to).
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{LOGIN_FAILURES_PER_ADDRESS}/{LOGIN_FAILURE_WINDOW_SECONDS}s/ip,"
        f"{LOGIN_FAILURES_PER_ACCOUNT}/{LOGIN_FAILURE_WINDOW_SECONDS}s/key"
    ),
    "login": "30/m/ip",
    "signup": "10/h/ip",
    "reset_password": f"{PASSWORD_RESETS_PER_ADDRESS}/h/ip,{PASSWORD_RESETS_PER_EMAIL}/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# How many proxies (load balancers) in front of the site append to X-Forwarded-For: rate limits
# count the address the outermost of them saw. 0: count the connection's own address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
# Two-step sign-in: an authenticator app (TOTP) with recovery codes, and passkeys or security
# keys (WebAuthn). The name authenticator apps show for the site:
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "London Physio Directory"
MFA_RECOVERY_CODE_COUNT = 10
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs HTTPS, except on a developer's machine.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# The cache holds rate-limit counts (clinics/throttle.py), so every process serving the site
# must share it: Redis when REDIS_URL is set (shared by every
# instance), else files in CACHE_DIR, shared by the workers of one machine. Local memory, one
# process's own, only for development (DEBUG).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if DEBUG
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR),
        }
    )
}

# Enquiries are health data (UK GDPR special category): kept briefly, sent with care.
ENQUIRY_RETENTION_DAYS = envint("ENQUIRY_RETENTION_DAYS", "180")
# Rate limits: at most this many enquiries per window from one address, and to one email.
ENQUIRY_LIMIT_PER_IP = envint("ENQUIRY_LIMIT_PER_IP", "5")
ENQUIRY_LIMIT_PER_EMAIL = envint("ENQUIRY_LIMIT_PER_EMAIL", "3")
ENQUIRY_LIMIT_WINDOW_SECONDS = envint("ENQUIRY_LIMIT_WINDOW_SECONDS", "60")
# A person takes longer than this to fill the form; a script does not.
ENQUIRY_MIN_SECONDS = envint("ENQUIRY_MIN_SECONDS", "3")
# The admin home counts enquiries left unanswered for longer than this.
ENQUIRY_WAITING_DAYS = envint("ENQUIRY_WAITING_DAYS", "3")
# ...and a form shown longer ago than this is sent again (its signed start time expires), so a
# start time taken once cannot be replayed for ever.
ENQUIRY_FORM_MAX_AGE_SECONDS = envint("ENQUIRY_FORM_MAX_AGE_SECONDS", "3600")
# A clinic's typical reply time shows once it has answered this many in 90 days.
ENQUIRY_RESPONSE_TIME_MIN_ANSWERED = 5

# Verified reviews: a patient who enquired is invited once, this many days after the clinic
# marked the enquiry answered (or this many after it arrived, if it never was: so a clinic
# cannot choose whom we invite by choosing what it marks answered).
REVIEW_INVITATION_DELAY_DAYS = envint("REVIEW_INVITATION_DELAY_DAYS", "7")
REVIEW_INVITATION_UNANSWERED_DAYS = envint("REVIEW_INVITATION_UNANSWERED_DAYS", "14")
# The emailed link works once, for this long.
REVIEW_LINK_MAX_AGE_DAYS = envint("REVIEW_LINK_MAX_AGE_DAYS", "30")
# More reviews than this for one clinic within the window: the next ones wait for an admin.
REVIEW_BURST_LIMIT = envint("REVIEW_BURST_LIMIT", "5")
REVIEW_BURST_HOURS = envint("REVIEW_BURST_HOURS", "24")
# Reports of errors left open this long flag their listing to admins.
REPORT_OVERDUE_DAYS = envint("REPORT_OVERDUE_DAYS", "14")


# --- Security headers and cookies ----------------------------------------------------------
# HTTPS defaults to on when DEBUG is off. Behind a proxy that ends TLS, set
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto so Django knows a request came over HTTPS.
HTTPS = envbool("HTTPS", "false" if DEBUG else "true")
SECURE_SSL_REDIRECT = HTTPS
# Links in emails (verification, password reset) use the scheme the site is served on.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# Load balancers check health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# __Host- cookies are only ever sent over HTTPS, to this exact host, for the whole site.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
# A patient's shortlist of clinics, kept in their browser (clinics/shortlist.py).
SHORTLIST_COOKIE_NAME = "__Host-shortlist" if HTTPS else "shortlist"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"),
        "https",
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The admin refuses staff who have not passed two-step sign-in in this session; on by default
# wherever HTTPS is (production), off on a developer's machine.
ADMIN_REQUIRES_TWO_FACTOR = envbool("ADMIN_REQUIRES_TWO_FACTOR", "true" if HTTPS else "false")

# No inline script anywhere: every script is a file served by the site. JSON-LD blocks are
# data, not scripts, and browsers do not run them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The Django admin sets a few style attributes; styles cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or envbool("PLAIN_STATIC", "false")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
