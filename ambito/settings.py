"""Settings, read from the environment (see .env.example). One file for every deployment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("AMBITO_DEBUG")
# Demo mode enables the documented demo users (password "demo"); never on in production.
DEMO_MODE = env_bool("AMBITO_DEMO")

SECRET_KEY = os.environ.get("AMBITO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE or env_bool("AMBITO_TESTING"):
        SECRET_KEY = "insecure-development-key-not-for-production-use-0123456789abcdef"
    else:
        raise ImproperlyConfigured("AMBITO_SECRET_KEY must be set when neither debug nor demo.")

ALLOWED_HOSTS = [
    h for h in os.environ.get("AMBITO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("AMBITO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "bootstrap_italia_template",
    # django-ninja: its templates and vendored Swagger UI serve /api/v1/docs offline under CSP.
    "ninja",
    # Two-factor login: TOTP devices and single-use recovery codes (see accounts.middleware).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "ambito.accounts",
    "ambito.territory",
    "ambito.organizations",
    "ambito.people",
    "ambito.cases",
    "ambito.interventions",
    "ambito.copay",
    "ambito.planning",
    "ambito.flows",
    "ambito.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ambito.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "ambito.urls"
WSGI_APPLICATION = "ambito.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ambito" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "ambito.accounts.context_processors.operator",
                "ambito.accounts.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ by default; DATABASE_URL (postgres://...) for production and CI.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'ambito.sqlite3'}",
        conn_max_age=int(os.environ.get("AMBITO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles each larger plan of the reports for 100-130 ms and gains nothing on these
    # queries (docs/performance.md, c and d): off for every connection of the application.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "ambito.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The name authenticator apps show next to the code (otpauth:// issuer).
OTP_TOTP_ISSUER = "Ambito"
# The admin never shows the keys of authenticator apps or the recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Failed passwords or codes for one username within the window lock it for as long.
AMBITO_LOCKOUT_ATTEMPTS = int(os.environ.get("AMBITO_LOCKOUT_ATTEMPTS", "5"))
AMBITO_LOCKOUT_MINUTES = int(os.environ.get("AMBITO_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "ambito" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "ambito.storage.StaticFilesStorage"},
}
# The case documents (special-category data): outside the static files, never served by URL
# (no MEDIA_URL route), read and written by the app's user only. Downloads go through
# cases.access, which logs them.
MEDIA_ROOT = Path(os.environ.get("AMBITO_MEDIA_ROOT", "") or BASE_DIR / "var" / "media")
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Largest case document accepted, in megabytes (the proxy in front must allow at least as much).
AMBITO_MAX_UPLOAD_MB = int(os.environ.get("AMBITO_MAX_UPLOAD_MB", "20"))

# Security: cookies and headers. HTTPS-only settings follow AMBITO_HTTPS (on in production).
TESTING = env_bool("AMBITO_TESTING")
# WhiteNoise indexes every static file when its middleware starts, and the test client starts
# the middleware for each client: thousands of times a run. In tests it looks files up on
# request instead (as in DEBUG).
if TESTING:
    WHITENOISE_AUTOREFRESH = True
HTTPS = env_bool("AMBITO_HTTPS", default=not (DEBUG or DEMO_MODE or TESTING))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("AMBITO_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

# Retention: closed cases are archived this many years after closing (manage.py
# archive_closed_cases), leaving a pseudonymised statistic keyed with AMBITO_PSEUDONYM_KEY.
AMBITO_RETENTION_YEARS = int(os.environ.get("AMBITO_RETENTION_YEARS", "10"))
AMBITO_PSEUDONYM_KEY = os.environ.get("AMBITO_PSEUDONYM_KEY", "") or SECRET_KEY

# Need-to-know: how long an emergency access ("break the glass") to a reserved case lasts.
AMBITO_BREAK_GLASS_HOURS = int(os.environ.get("AMBITO_BREAK_GLASS_HOURS", "3"))

# The PDND voucher of the WaaS API that INPS polls (ambito.flows.waas): the PDND's public key
# (PEM text, "\n" allowed for newlines, or the path of a PEM file), the voucher's issuer, and
# the audience of each Ambito's e-service as "code=audience" pairs, comma separated: the
# audience says whose flows are served. Unset: every call is refused (401).
AMBITO_PDND_PUBLIC_KEY = os.environ.get("AMBITO_PDND_PUBLIC_KEY", "")
AMBITO_PDND_ISSUER = os.environ.get("AMBITO_PDND_ISSUER", "interop.pagopa.it")
AMBITO_PDND_AUDIENCE: dict[str, str] = {
    code.strip(): audience.strip()
    for code, _, audience in (
        pair.partition("=") for pair in os.environ.get("AMBITO_PDND_AUDIENCE", "").split(",")
    )
    if code.strip() and audience.strip()
}

# Errors go to stdout even with DEBUG off, so that the process supervisor collects them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("AMBITO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

# The charges' covering indexes (copay.Charge.Meta.indexes) are PostgreSQL's; on SQLite (demo,
# second test run) Django builds them without the INCLUDE columns, which is what we want.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
