"""Dispatch settings: the one settings module, read from the environment.

Production differs from development only by environment variables (README lists them all).
The helpers below fail loudly on a value they cannot read rather than guessing.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
# A local checkout's own settings (`make run` writes DEBUG=1 and a SECRET_KEY there once).
# Real environment variables win; tests ignore it; production has no .env and sets everything explicitly.
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
ENV_FILE = Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")
if ENV_FILE.is_file() and not TESTING:
    environ.Env.read_env(ENV_FILE, overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but 1/0, true/false, yes/no, on/off is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={raw!r}: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number not below `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw!r}: expected a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw!r}: must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Tests, and DEBUG set by hand without a key: a throwaway key for this process only.
    from django.utils.crypto import get_random_string

    SECRET_KEY = "dev-" + get_random_string(60)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if (DEBUG or TESTING) else [])
if not (DEBUG or TESTING):
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    if "*" in ALLOWED_HOSTS:
        # allauth and Django's redirect checks trust ALLOWED_HOSTS: "*" would allow open redirects.
        raise ImproperlyConfigured('ALLOWED_HOSTS="*" is refused in production: name your hosts.')
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PORT = env_int("PORT", 8000, minimum=1)
# Absolute links in e-mails and feeds built outside a request (Celery tasks).
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Dispatch")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    # The product, lowest layer first (imports run upwards only: docs/architecture.md).
    "accounts",
    "media",
    "blog",
    "blog.comments",
    "blog.moderation",
]

MIDDLEWARE = [
    "blog.page_cache.EarlyPageMiddleware",  # first: a stored anonymous page skips everything below
    "config.middleware.PublicPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PopupOpenerPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, and use WAL
    # so readers never block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a real worker process started by the integration tests
    # can open the test database (one per test process).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://dispatch")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down must not take the site down: config/cache.py serves uncached meanwhile,
    # and every socket operation is bounded (no hang on a paused Redis, no client retries).
    CACHES["default"]["BACKEND"] = "config.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_on_timeout": False, "retry": None})

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Personas are created with passwords in most tests: PBKDF2 made each one cost ~0.3 s.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
# import_wxr's map of attachments (URLs, titles, parents, private posts' too): private, so
# under VAR_DIR and never under MEDIA_ROOT, which the proxy serves at /media/.
WXR_ATTACHMENT_MAP = VAR_DIR / "wxr" / "attachments.json"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads above this are written to a temp file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields of one request (files excluded): large only for the admin's post form; every
# other path is capped at PUBLIC_REQUEST_MAX_BYTES, body and files together
# (config.middleware.RequestSizeLimitMiddleware). 1 MB holds the longest comment, escaped.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PUBLIC_REQUEST_MAX_BYTES = 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dispatch <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: a real broker that needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
# Tests get a broker folder of their own per session (a worker they start is given it by
# CELERY_BROKER_DIR), so they never feed tasks to a development worker.
_broker_dir = Path(os.environ.get("CELERY_BROKER_DIR") or VAR_DIR / "broker")
if TESTING and "CELERY_BROKER_DIR" not in os.environ:
    _broker_dir = Path(tempfile.mkdtemp(prefix="dispatch-broker-"))
    atexit.register(shutil.rmtree, _broker_dir, ignore_errors=True)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "data_folder_processed": str(_broker_dir / "processed"),
        # Broadcasts (app.control.ping, used by pipeline_status) go here, not into ./control/.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Without it a task waits about a second to be seen.
        "polling_interval": 0.1,
    }
else:
    # Redis redelivers an unacknowledged task after visibility_timeout: it must exceed the
    # longest task (hard limit below) and the longest countdown/ETA we use. Set the same
    # on the broker and result transports so they agree.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# blog.wxr is a package, not an app: autodiscovery does not see its tasks (the Tools page).
CELERY_IMPORTS = ["blog.wxr.tasks"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker (and beat) retries the broker for as long as it is down: Celery's default gives up
# after 100 attempts (about 46 minutes, the wait growing by 2 s to 30 s) and the worker exits.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-posts": {"task": "blog.tasks.publish_scheduled_posts", "schedule": 60.0},
    "sweep-unchecked-comments": {"task": "blog.moderation.tasks.sweep_unchecked_comments", "schedule": 60.0},
    "purge-old-spam": {"task": "blog.moderation.tasks.purge_old_spam", "schedule": 6 * 3600.0},
    "send-moderator-digest": {"task": "blog.moderation.tasks.send_moderator_digest",
                              "schedule": crontab(hour=env_int("DIGEST_HOUR", 7), minute=0)},
    "retrain-classifier": {"task": "blog.moderation.tasks.retrain_classifier", "schedule": crontab(hour=3, minute=30)},
}
# How long the request may wait for the broker before it gives up (the sweep catches up).
CELERY_ENQUEUE_TIMEOUT = 2.0
# A broker that accepts TCP but never answers must not hang a sender forever.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS.update({"socket_connect_timeout": 2, "socket_timeout": 10})
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with the fix that lets a worker outlive a broker outage
    # (config/broker.py says which bug; drop it when kombu/Celery fix it upstream).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    # Publisher confirms: a publish returns once RabbitMQ has the (persistent) message on disk,
    # so a task the site was told is queued survives a broker crash. Without them a SIGKILLed
    # RabbitMQ lost the tasks of the comments posted in its last seconds (12 of 15 in
    # tests/integration/test_faults.py), which then waited for the sweep. About 2 ms a publish.
    CELERY_BROKER_TRANSPORT_OPTIONS["confirm_publish"] = True

# --- Social login (django-allauth) -----------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Signing in to an existing account by the provider's e-mail address is safe only with a
# provider that verifies the addresses it vouches for (it owns the mailbox, or mailed a
# link): otherwise anyone with an account there could log in as admin@... Only the provider
# types listed here may (accounts.adapters.SocialAccountAdapter.can_authenticate_by_email);
# an OpenID Connect provider added later never does. X (twitter_oauth2) gives no address.
SOCIALACCOUNT_EMAIL_VERIFYING_PROVIDERS = frozenset({"google", "facebook"})
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True


def _provider_app(prefix: str) -> dict | None:
    client_id = os.environ.get(f"{prefix}_CLIENT_ID", "")
    secret = os.environ.get(f"{prefix}_CLIENT_SECRET", "")
    if not client_id or not secret:
        return None
    return {"client_id": client_id, "secret": secret, "key": ""}


SOCIALACCOUNT_PROVIDERS: dict = {}
for _name, _prefix, _extra in (
    ("google", "GOOGLE", {"SCOPE": ["openid", "profile", "email"], "OAUTH_PKCE_ENABLED": True}),
    ("twitter_oauth2", "TWITTER", {"OAUTH_PKCE_ENABLED": True}),
    ("facebook", "FACEBOOK", {"METHOD": "oauth2", "SCOPE": ["public_profile", "email"]}),
):
    _app = _provider_app(_prefix)
    if _app:
        SOCIALACCOUNT_PROVIDERS[_name] = {"APP": _app, **_extra}
# Commenters: profile from the provider, e-mail only when verified, safe `next` only
# (accounts/adapters.py). X and Facebook may give no verified e-mail: sign up without one.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_AUTO_SIGNUP = True

# --- Dispatch ---------------------------------------------------------------------------
# How many reverse proxies, each appending to X-Forwarded-For, stand between the clients and
# this server (config.helpers.client_ip). 0: none, the peer's address is the client's and the
# header is ignored (a client could write anything there).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# On a commenter's erasure their comments stay, as "Anonymous", so threads stay readable;
# with this on, their text is replaced too (blog.comments.privacy).
ERASE_COMMENT_TEXT = env_bool("ERASE_COMMENT_TEXT", False)
COMMENT_FLOOD_INTERVAL = env_int("COMMENT_FLOOD_INTERVAL", 15)
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_ENDPOINT = os.environ.get("AKISMET_ENDPOINT", "https://rest.akismet.com/1.1")
GRAVATAR_ENABLED = env_bool("GRAVATAR_ENABLED", False)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"
if not DEBUG:
    # Behind a TLS-terminating proxy, set SECURE_SSL_REDIRECT=0 and TRUST_X_FORWARDED_PROTO=1.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preload is a one-way commitment (anyone may submit a domain whose header carries it),
    # so it is opt-in and check --deploy's reminder about it (W021) is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not TESTING)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not TESTING)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script anywhere; embeds load only privacy-first hosts after a click. frame-src
# starts empty (no frames at all): media's AppConfig.ready() adds the players of the embed
# finders (media.embeds), the one list of those hosts; config imports no app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + (["https://secure.gravatar.com"] if GRAVATAR_ENABLED else []),
        "frame-src": [],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# No provider image host: a commenter's provider picture is fetched by the worker and served
# from MEDIA_URL (accounts.pictures), so pages make no request to Google, X or Facebook.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Images (media/validation.py)-------------------------------------------------------------
# Uploads above either limit are refused with a clear message; pixels bound the memory a
# decode takes (a 24 MP photo fits, a decompression bomb does not).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000, minimum=1)
