"""PVD Pilot settings: everything comes from the environment (django-environ), read strictly.

A bad value stops the start with ImproperlyConfigured rather than running on a silent default.
The variables are documented in README.md ("Configuration").
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    """django-environ reads an unknown word as False; we refuse it instead."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
        raise ImproperlyConfigured(f"{name}={raw!r} : valeur booléenne attendue (true/false).")
    return raw in {"true", "1", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} : nombre entier attendu.") from error


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire quand DEBUG=false.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire quand DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "pvd",
    "pvd.accounts",
    "partners",
    "programmes",
    "operations",
    "budget",
    "pvd.governance",  # issue 8: above every app (decision 0015)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pvd.urls"
WSGI_APPLICATION = "pvd.wsgi.application"
ASGI_APPLICATION = "pvd.asgi.application"

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
                "pvd.context_processors.territory",
                "pvd.context_processors.navigation",
                "pvd.context_processors.notifications",  # issue 8, H6: the bell's unread count
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling, must come first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Sessions end after a working day of inactivity, and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): 5 failures for one e-mail from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

# --- Locale -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["pvd.formats"]

# --- Static and media files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded documents (programmes/validators.py checks both on the file's content, not its name).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)  # 20 Mo
UPLOAD_ALLOWED_TYPES = ["pdf", "odt", "ods", "docx", "xlsx", "pptx", "doc", "xls", "jpeg", "png"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail -------------------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:password@host:587/?ssl=false&tls=true, consolemail://, dummymail://) becomes
# Django 6.1's MAILERS (the EMAIL_* settings are deprecated).
_email = env.email_url_config(env.str("EMAIL_URL", default="consolemail://"))
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {option: _email[key] for key, option in _SMTP_OPTIONS.items() if key in _email}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
if "smtp" in _email["EMAIL_BACKEND"]:
    MAILERS["default"]["OPTIONS"].setdefault("timeout", 10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PVD Pilot <pvd-pilot@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work (Celery) -------------------------------------------------------------------------
# With REDIS_URL, tasks go to Redis and a worker runs them; without it, they run eagerly in-process
# (make run, make test). Tasks are queued on transaction commit (DjangoTask.delay_on_commit).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sessions": {
        "task": "pvd.accounts.tasks.purge_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # --- housing: access log, retention and anonymisation (issue 7, privacy) ---
    "anonymise-expired-housing-files": {
        "task": "operations.housing.tasks.anonymise_expired_files",
        "schedule": crontab(hour=3, minute=40),
    },
    # --- issue 10, H2: computed indicators ---
    "refresh-computed-indicators": {
        "task": "programmes.indicators.tasks_compute.refresh_computed_indicators",
        "schedule": crontab(hour=4, minute=10),
    },
    # --- end issue 10, H2 ---
    # --- issue 8: the alerts engine every morning, the weekly digest on Monday morning ---
    "refresh-alerts": {
        "task": "pvd.governance.tasks.refresh_alerts",
        "schedule": crontab(hour=6, minute=30),
    },
    "send-weekly-digests": {
        "task": "pvd.governance.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    # --- end issue 8 ---
}
# --- issue 8, H5: days an alert may stay open (nobody acknowledged it) before the daily refresh escalates it, by
# level (3 critique, 2 attention, 1 information); an overdue alert goes up the day after it was raised ---
ALERT_ESCALATION_DAYS = {3: 3, 2: 10, 1: 30}
# --- end issue 8, H5 ---

# --- Cache ----------------------------------------------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Forms ----------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Absolute links in e-mails sent from background jobs (alerts, digests, invitations: issue 8) -----------
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Territory shown in the header ----------------------------------------------------------------------
TERRITORY_NAME = env.str(
    "TERRITORY_NAME", default="Communauté d'agglomération du Grand Saint-Dizier, Der & Vallées"
)
TERRITORY_SHORT_NAME = env.str("TERRITORY_SHORT_NAME", default="Grand Saint-Dizier, Der & Vallées")
TERRITORY_LOGO = env.str("TERRITORY_LOGO", default="img/logo-territoire.svg")

# --- Security -------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
# HSTS preload binds the whole domain (often the intercommunality's own): its IT decides, not us.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz answers the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

if DEBUG and env_bool("DEBUG_TOOLBAR", False):
    INSTALLED_APPS += ["debug_toolbar"]
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    INTERNAL_IPS = ["127.0.0.1"]
