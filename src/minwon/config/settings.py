"""Django settings for minwon.

Everything that differs between a demo laptop and production comes from the environment:
``MINWON_DATABASE_URL``, ``MINWON_SECRET_KEY``, ``MINWON_DATA_KEY``, ``MINWON_DEBUG``,
``MINWON_ALLOWED_HOSTS``, ``MINWON_PRODUCTION``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url

from minwon.config.paths import PACKAGE_DIR, private_file, secret_file, var_dir


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = PACKAGE_DIR
VAR_DIR: Path = var_dir()
PRODUCTION = _env_bool("MINWON_PRODUCTION")
DEBUG = _env_bool("MINWON_DEBUG", default=False)

SECRET_KEY = (
    os.environ.get("MINWON_SECRET_KEY") or secret_file("django-secret-key", nbytes=48).hex()
)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("MINWON_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

#: The stages of ``kernel.execute`` (``minwon.kernel.bus``), outermost first: the retry that
#: carries a command across a database failover, then the kernel's own. ``minwon edge``
#: adds the edge's continuity stage in front.
MINWON_PIPELINE = [
    "minwon.ha.retry.retry_stage",
    "minwon.kernel.bus.measure",
    "minwon.kernel.bus.deduplicate",
    "minwon.kernel.bus.in_transaction",
    "minwon.kernel.bus.authenticate_channel",
    "minwon.kernel.bus.authorise",
    "minwon.kernel.bus.run",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "minwon.kernel",
    "minwon.accounts",
    "minwon.registry",
    "minwon.vehicles",
    "minwon.land",
    "minwon.licensing",
    "minwon.tax",
    "minwon.petitions",
    "minwon.documents",
    "minwon.payments",
    "minwon.sharing",
    "minwon.portal",
    "minwon.ops",
    "minwon.continuity",
    "minwon.notices",
    "minwon.ha",
    "minwon.administration",
    "minwon.web",
    # django-ninja's own Swagger UI files (static/ninja/), so /api/docs loads nothing from
    # a CDN and runs under the CSP (see web/VENDOR.md).
    "ninja",
]

MIDDLEWARE = [
    "minwon.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minwon.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minwon.web.middleware.LocaleMiddleware",  # Django's, no path look-up without i18n URLs
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minwon.web.middleware.MessageMiddleware",  # Django's, storage made on first use
    "minwon.accounts.kiosks.KioskDeviceMiddleware",
    "minwon.accounts.middleware.StaffSessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minwon.web.middleware.CSPMiddleware",  # django-csp's, policy built once
    "minwon.web.middleware.ErrorPageMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, right before the view: a URL carrying an RRN, a PIN or a birth date is refused.
    "minwon.web.urlguard.PersonalDataInURLMiddleware",
]

ROOT_URLCONF = "minwon.config.urls"
WSGI_APPLICATION = "minwon.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minwon.web.context.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    """Turn ``MINWON_DATABASE_URL`` into Django's DATABASES entry.

    SQLite runs in WAL mode with a busy timeout and immediate transactions, so concurrent
    writers queue instead of failing; PostgreSQL uses psycopg 3 with a connection pool.
    libpq multi-host URLs (``postgresql://h1:5432,h2:5433/db?target_session_attrs=read-write``)
    are passed through to libpq untouched.
    """
    if url.startswith("sqlite"):
        db = dj_database_url.parse(url)
        name = str(db["NAME"])
        if not os.path.isabs(name):
            name = str(Path.cwd() / name)
        Path(name).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if name != ":memory:" and not name.startswith("file:"):
            private_file(Path(name))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=30000;"
                ),
            },
            "TEST": {"NAME": os.environ.get("MINWON_TEST_SQLITE_NAME") or None},
        }
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    pooled = query.pop("pool", "1") not in {"0", "false"}
    # Values travel separately from the statement (server-side binding) and a statement a
    # connection runs a few times is prepared once: PostgreSQL then skips parsing and
    # planning, and psycopg skips quoting values into the text (a certificate's PDF was 88 kB
    # of hex). ``?server_side_binding=false`` turns both off, e.g. behind a PgBouncer older
    # than 1.21 in transaction mode, which cannot keep prepared statements.
    bound = query.pop("server_side_binding", "true").lower() not in {"0", "false", "no"}
    threshold = query.pop("prepare_threshold", "5")
    options: dict[str, object] = {k: v for k, v in query.items()}
    if bound:
        options["server_side_binding"] = True
        options["prepare_threshold"] = None if threshold.lower() == "none" else int(threshold)
    if pooled and not _env_bool("MINWON_DISABLE_POOL"):
        options["pool"] = {
            "min_size": int(os.environ.get("MINWON_DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("MINWON_DB_POOL_MAX", "16")),
            "timeout": float(os.environ.get("MINWON_DB_POOL_TIMEOUT", "10")),
        }
    hosts = parts.netloc.rsplit("@", 1)[-1]
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    user, _, password = userinfo.partition(":")
    # Multi-host: libpq takes comma-separated host and port lists.
    host_list, port_list = [], []
    for item in hosts.split(","):
        host, _, port = item.partition(":")
        host_list.append(host)
        port_list.append(port or "5432")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/") or "minwon",
        "USER": user,
        "PASSWORD": password,
        "HOST": ",".join(host_list),
        "PORT": ",".join(port_list) if len(set(port_list)) > 1 else port_list[0],
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
    }


# Without a URL, the embedded database lives in the var directory (MINWON_VAR_DIR), not in
# whatever directory the command happened to start from.
DATABASE_URL = os.environ.get("MINWON_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'minwon.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Log-in throttling and lock-out (django-axes): five failures lock the username *from that
# client address* for 15 minutes. Not the address alone (an office shares one address behind
# NAT) and not the username alone (anyone could lock the administrator out); a lock-out
# raises the situation room's alarm and mails the account holder (accounts/lockout.py).
AXES_FAILURE_LIMIT = int(os.environ.get("MINWON_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "minwon.accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "minwon.accounts.lockout.lockout_response"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Staff sessions end after 30 idle minutes and at most 9 hours after log-in (a working day).
STAFF_IDLE_SECONDS = int(os.environ.get("MINWON_STAFF_IDLE_SECONDS", str(30 * 60)))
STAFF_MAX_SESSION_SECONDS = 9 * 60 * 60
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Petition attachments (petitions.files), always stored sealed (AES-GCM). On the
    # filesystem under the var directory by default; S3-compatible object storage with
    # django-storages (``pip install minwon[s3]``) when MINWON_ATTACHMENTS_S3_BUCKET is set.
    "attachments": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["MINWON_ATTACHMENTS_S3_BUCKET"],
                "endpoint_url": os.environ.get("MINWON_ATTACHMENTS_S3_ENDPOINT") or None,
                "region_name": os.environ.get("MINWON_ATTACHMENTS_S3_REGION") or None,
                "location": os.environ.get("MINWON_ATTACHMENTS_S3_PREFIX", ""),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if os.environ.get("MINWON_ATTACHMENTS_S3_BUCKET")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": os.environ.get("MINWON_ATTACHMENTS_DIR", str(VAR_DIR / "attachments")),
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    ),
}
# An attachment's size limit, also enforced while the upload streams in (the handler skips
# the rest of a file past it); other uploads keep Django's defaults.
MINWON_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("MINWON_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
FILE_UPLOAD_HANDLERS = [
    "minwon.petitions.files.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. CSP forbids inline scripts and styles everywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSP_DEFAULT_SRC = ("'self'",)
CSP_SCRIPT_SRC = ("'self'",)
CSP_STYLE_SRC = ("'self'",)
CSP_IMG_SRC = ("'self'", "data:")
CSP_FONT_SRC = ("'self'", "data:")  # KRDS embeds a small icon font as a data: URI
CSP_CONNECT_SRC = ("'self'",)
CSP_FRAME_ANCESTORS = ("'none'",)
CSP_FORM_ACTION = ("'self'",)
CSP_BASE_URI = ("'none'",)
CSP_OBJECT_SRC = ("'none'",)
if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("MINWON_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Strict"
    CSRF_TRUSTED_ORIGINS = [
        o for o in os.environ.get("MINWON_CSRF_TRUSTED_ORIGINS", "").split(",") if o
    ]

# Without a mail server configured, e-mails are written as files under var/mail/ (one file
# per process run) so the demo's console stays readable; production sets an SMTP backend.
EMAIL_BACKEND = os.environ.get(
    "MINWON_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("MINWON_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("MINWON_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MINWON_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("MINWON_FROM_EMAIL", "minwon@localhost")

# The data key encrypts resident registration numbers (AES-GCM). It lives outside the
# database: the environment (base64 or hex, 32 bytes) or a key file.
# 수수료 결제: the card gateway (a dotted path to a ``payments.providers.PaymentProvider``).
MINWON_PAYMENT_PROVIDER = os.environ.get(
    "MINWON_PAYMENT_PROVIDER", "minwon.payments.providers.DemoCardProvider"
)
MINWON_DATA_KEY_FILE = os.environ.get("MINWON_DATA_KEY_FILE", str(VAR_DIR / "secrets" / "data-key"))

# Signed checkpoints of the audit chain heads go here, outside the database; ship the
# directory to WORM storage or another site. The worker writes one every
# MINWON_AUDIT_CHECKPOINT_SECONDS (0: never; `minwon audit checkpoint` writes one on demand).
MINWON_AUDIT_ANCHOR_DIR = os.environ.get("MINWON_AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit-anchors"))
# The sharing message log is kept this many days in the database (행정정보 공동이용 이용 기록:
# five years by default; set it to the records schedule's period), then moved into signed
# archive files here, a directory to ship off site like the audit anchors.
MINWON_SHARING_RETENTION_DAYS = int(os.environ.get("MINWON_SHARING_RETENTION_DAYS", "1826"))
MINWON_SHARING_ARCHIVE_DIR = os.environ.get(
    "MINWON_SHARING_ARCHIVE_DIR", str(VAR_DIR / "sharing-archive")
)
MINWON_AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("MINWON_AUDIT_CHECKPOINT_SECONDS", "300"))

# Every handler redacts RRN- and birth-date-shaped values (minwon.web.accesslog). The access
# log (written by ``minwon serve``, never with a query string) goes to standard output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "minwon.web.accesslog.RedactPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "access": {"format": "[%(asctime)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MINWON_LOG_LEVEL", "INFO")},
    "loggers": {
        "minwon.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "faker": {"level": "WARNING"},
    },
}

# /metrics answers a scraper that presents MINWON_METRICS_TOKEN as a bearer token
# (Prometheus: `authorization: {credentials: ...}`) or whose address is in MINWON_METRICS_ALLOW
# (addresses or networks, comma-separated; default the loopback only).
MINWON_METRICS_TOKEN = os.environ.get("MINWON_METRICS_TOKEN", "")
MINWON_METRICS_ALLOW = [
    a.strip()
    for a in os.environ.get("MINWON_METRICS_ALLOW", "127.0.0.1,::1").split(",")
    if a.strip()
]

NINJA_PAGINATION_PER_PAGE = 50
LOGIN_URL_PATH = "/accounts/login/"
