"""Settings shared by every environment.

Everything that differs between machines (secrets, hosts, service URLs) is read from the
environment; see `.env.example` for the full list.
"""

import os
from datetime import timedelta
from pathlib import Path

from corsheaders.defaults import default_headers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MEIDUO_VAR_DIR", BASE_DIR / "var"))
FRONT_END_DIR = BASE_DIR / "front_end_pc"


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "api.meiduo.site,127.0.0.1,localhost,www.meiduo.site")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "haystack",
    "import_export",
    "axes",
    "meiduo_mall.apps.users",
    "meiduo_mall.apps.verifications",
    "meiduo_mall.apps.oauth",
    "meiduo_mall.apps.areas",
    "meiduo_mall.apps.goods",
    "meiduo_mall.apps.contents",
    "meiduo_mall.apps.carts",
    "meiduo_mall.apps.coupons",
    "meiduo_mall.apps.orders",
    "meiduo_mall.apps.payment",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "meiduo_mall.utils.db_router.ReplicaScopeMiddleware",
    "meiduo_mall.utils.middleware.BrowserSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "meiduo_mall.utils.middleware.BrowserCsrfViewMiddleware",
    "meiduo_mall.utils.middleware.BrowserAuthenticationMiddleware",
    "meiduo_mall.utils.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "meiduo_mall.utils.middleware.JSONMethodNotAllowedMiddleware",
    "meiduo_mall.utils.middleware.SecurityHeadersMiddleware",
    # Last, so that its answer to a login refused for the limits still gets the headers of those above.
    "axes.middleware.AxesMiddleware",
]
# Sessions, CSRF, Django's request.user and messages run on these paths only (utils/middleware.py);
# the JSON API authenticates with JWTs and skips them.
BROWSER_SESSION_PATHS = ["/admin/"]
# Django's deploy check looks for CsrfViewMiddleware by its dotted name only; BrowserCsrfViewMiddleware is
# that class, run on BROWSER_SESSION_PATHS, so the warning that CSRF protection is missing does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "meiduo_mall.urls"
WSGI_APPLICATION = "meiduo_mall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "meiduo_mall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------
# MySQL/MariaDB runs order placement at READ COMMITTED: the conditional stock UPDATE must
# see rows committed by other buyers, not a snapshot taken at the start of the transaction.
MYSQL_OPTIONS = {
    "charset": "utf8mb4",
    "isolation_level": "read committed",
    "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
}


def mysql_database(prefix="DB", default_name="meiduo_mall", default_port="3306"):
    return {
        "ENGINE": "django.db.backends.mysql",
        "HOST": env(f"{prefix}_HOST", "127.0.0.1"),
        "PORT": int(env(f"{prefix}_PORT", default_port)),
        "USER": env(f"{prefix}_USER", "root"),
        "PASSWORD": env(f"{prefix}_PASSWORD", ""),
        "NAME": env(f"{prefix}_NAME", default_name),
        "OPTIONS": MYSQL_OPTIONS,
        # Persistent connections: opening one per request costs most of the ceiling.
        "CONN_MAX_AGE": int(env("DB_CONN_MAX_AGE", "60")),
        # A ping before each request's first query (one round trip) spares the request after a database restart
        # or failover its 503; off, that one request per connection fails and the connection is replaced.
        "CONN_HEALTH_CHECKS": env_bool("DB_CONN_HEALTH_CHECKS", True),
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


def replica_database(primary, default_port="3306"):
    """The read replica (DB_REPLICA_*), with the primary's database and account unless set (empty counts as
    unset, as in a copied .env.example). Short timeouts bound what an unreachable or hung replica costs before
    reads fall back to the primary."""
    replica = mysql_database(prefix="DB_REPLICA", default_port=default_port)
    replica["NAME"] = env("DB_REPLICA_NAME") or primary["NAME"]
    replica["USER"] = env("DB_REPLICA_USER") or primary["USER"]
    replica["PASSWORD"] = env("DB_REPLICA_PASSWORD", primary["PASSWORD"])
    replica["OPTIONS"] = {
        **MYSQL_OPTIONS,
        "connect_timeout": int(env("DB_REPLICA_CONNECT_TIMEOUT", "2")),
        "read_timeout": int(env("DB_REPLICA_READ_TIMEOUT", "10")),
        "write_timeout": int(env("DB_REPLICA_READ_TIMEOUT", "10")),
    }
    return replica


DATABASES = {"default": mysql_database()}
DATABASE_ROUTERS = ["meiduo_mall.utils.db_router.PrimaryReplicaRouter"]
# Reads opted in with meiduo_mall.utils.db_router.replica_reads() use the "replica" alias when there is one.
DB_REPLICA_READS = env_bool("DB_REPLICA_READS", True)
# After a failed connection to the replica, reads stay on the primary this long before it is tried again.
DB_REPLICA_RETRY_SECONDS = float(env("DB_REPLICA_RETRY_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
# Session logins are the back office's only; shoppers log in with JWTs.
LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"
# AxesStandaloneBackend first: it refuses a login the login limits hold back before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "meiduo_mall.apps.users.backends.UsernameMobileBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The back office's strings that django-unfold, django-import-export and django-axes leave in English (locale/);
# Django's zh_Hans formats already write dates as 2026年12月1日 20:45, in Beijing time.
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# MEDIA_URL is absolute (see "Front end" below): image URLs must work on pages of another origin.
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    # Uploaded images: MEDIA_ROOT on the local disk here, FastDFS by default in production (prod.py).
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# FastDFS (meiduo_mall.utils.fastdfs): trackers tried in turn; files served by the storage servers'
# nginx module at FDFS_BASE_URL + file id. Timeouts in seconds.
FDFS_TRACKER_SERVERS = env_list("FDFS_TRACKER_SERVERS", "127.0.0.1:22122")
FDFS_BASE_URL = env("FDFS_BASE_URL", "http://127.0.0.1:8888/")
FDFS_CONNECT_TIMEOUT = float(env("FDFS_CONNECT_TIMEOUT", "3"))
FDFS_NETWORK_TIMEOUT = float(env("FDFS_NETWORK_TIMEOUT", "30"))

# Redis ----------------------------------------------------------------------------------
# One Redis server; each alias gets its own database number (docs/architecture.md lists their keys).
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DATABASES = {"default": 0, "session": 1, "verify_codes": 2, "history": 3, "cart": 4}


def redis_location(db):
    if REDIS_URL.startswith("unix://"):
        return f"{REDIS_URL}?db={db}"
    return f"{REDIS_URL.rstrip('/')}/{db}"


# A Redis round trip takes well under a millisecond: a command that waits this long (seconds) meets a stalled
# server, and the request goes on without Redis (the catalog, member authentication) or answers 503.
REDIS_SOCKET_CONNECT_TIMEOUT = float(env("REDIS_SOCKET_CONNECT_TIMEOUT", "0.25"))
REDIS_SOCKET_TIMEOUT = float(env("REDIS_SOCKET_TIMEOUT", "0.25"))
# The circuit breaker of meiduo_mall/utils/redis_breaker.py: after this many failures in a row, commands to that
# server fail at once for this many seconds, then one is tried again.
REDIS_BREAKER_FAILURES = int(env("REDIS_BREAKER_FAILURES", "1"))
REDIS_BREAKER_SECONDS = float(env("REDIS_BREAKER_SECONDS", "3"))
DJANGO_REDIS_CONNECTION_FACTORY = "meiduo_mall.utils.redis_breaker.BreakerConnectionFactory"


def redis_caches():
    return {
        alias: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_location(db),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            },
        }
        for alias, db in REDIS_DATABASES.items()
    }


CACHES = redis_caches()
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "session"

# Celery ---------------------------------------------------------------------------------
# Redis (the default) or RabbitMQ: amqp://user:password@host:5672/vhost
CELERY_BROKER_URL = env("CELERY_BROKER_URL", redis_location(14))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues a task (an SMS code) answers 503 within seconds when the broker is down or hung,
# instead of holding its worker: connecting (RabbitMQ) and every Redis command are bounded, and a publish
# is retried once, on a fresh connection, which is what a broker restart needs.
CELERY_BROKER_CONNECTION_TIMEOUT = float(env("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": float(env("CELERY_BROKER_SOCKET_TIMEOUT", "2")),
    # Redis redelivers a late-acknowledged task this long after a worker took it and died. It must exceed the
    # longest countdown a retry waits in a worker (300 s, send_verify_email) plus the hard time limit, or a
    # task waiting for its retry would be delivered twice. RabbitMQ redelivers when the connection drops.
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "600")),
}
# Several shops (or test runs) can share one broker, each with its own queue.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads task results, so no result backend is needed.
CELERY_TASK_IGNORE_RESULT = True
# The soft limit raises SoftTimeLimitExceeded inside the task (a hung SMTP or SMS call); the hard
# limit kills the worker child. Both are enforced by the prefork pool only (the default), not by solo.
CELERY_TASK_SOFT_TIME_LIMIT = float(env("CELERY_TASK_SOFT_TIME_LIMIT", "60"))
CELERY_TASK_TIME_LIMIT = float(env("CELERY_TASK_TIME_LIMIT", "90"))
# Late-acknowledged tasks wait in the broker, not in a busy worker's prefetch buffer.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {}

# REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["meiduo_mall.utils.parsers.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "meiduo_mall.apps.users.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "meiduo_mall.utils.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "meiduo_mall.utils.pagination.StandardResultsSetPagination",
    "DEFAULT_SCHEMA_CLASS": "meiduo_mall.utils.schema.ShopAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(env("JWT_LIFETIME_SECONDS", str(24 * 3600)))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "AUTH_HEADER_TYPES": ("JWT", "Bearer"),
    "USER_ID_CLAIM": "user_id",
    "SIGNING_KEY": SECRET_KEY,
    "CHECK_REVOKE_TOKEN": True,
    "UPDATE_LAST_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "美多商城 API",
    "DESCRIPTION": "REST API of Meiduo Mall; the contract is docs/api.md in the repository.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies without the read-only fields of the answers, so clients (and the fuzz tests) see what
    # a request may send.
    "COMPONENT_SPLIT_REQUEST": True,
    # A return's and a refund's status (and a return's reason) are named apart from the order's of the same name.
    "ENUM_NAME_OVERRIDES": {
        "RefundStatusEnum": "meiduo_mall.apps.orders.models.Refund.Status",
        "ReturnStatusEnum": "meiduo_mall.apps.orders.models.ReturnRequest.Status",
        "ReturnReasonEnum": "meiduo_mall.apps.orders.models.ReturnRequest.Reason",
        "MemberCouponStatusEnum": "meiduo_mall.apps.coupons.services.MEMBERS_COUPON_TABS",
    },
}
# /api/schema/ and /api/docs/ (Swagger UI); production turns them off unless API_DOCS_PUBLIC is set.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", True)

# CORS -----------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = [
    "http://127.0.0.1:8080",
    "http://localhost:8080",
    "http://www.meiduo.site:8080",
    "http://api.meiduo.site:8000",
    *env_list("CORS_EXTRA_ORIGINS"),
]
CORS_ALLOW_CREDENTIALS = True
# The order page sends Idempotency-Key with POST /orders/ (one order per intent), cross-origin in layout A.
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key")

# Back office (django-unfold) -------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": "美多商城后台",
    "SITE_HEADER": "美多商城",
    "SITE_SYMBOL": "storefront",
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "meiduo_mall.dashboard.dashboard_callback",
    # Says in Chinese when the login limits refuse a login, instead of "wrong password".
    "LOGIN": {"form": "meiduo_mall.apps.users.admin_login.AdminLoginForm"},
    "SCRIPTS": ["meiduo_mall.utils.admin.chinese_script"],
}
# Exporting is a right of its own (export_sku, export_orderinfo, export_user: the 数据分析 role), not of
# "view"; importing changes rows, so it needs "change".
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"

# Front end ------------------------------------------------------------------------------
# The guest cart cookie: HttpOnly always (the pages never read it), Secure in production over https.
CART_COOKIE_SECURE = False
# The origin that serves front_end_pc/; links in mail and payment return URLs point there.
FRONTEND_ORIGIN = env("FRONTEND_ORIGIN", "http://127.0.0.1:8000").rstrip("/")
UNFOLD["SITE_URL"] = f"{FRONTEND_ORIGIN}/index.html"
# With pages and API on two origins the pages call the API cross-origin, with credentials.
CORS_ALLOWED_ORIGINS.append(FRONTEND_ORIGIN)
# The origin the browser reaches the API on: written into js/host.js (`manage.py write_host_js`)
# and the base of image URLs. Equal to FRONTEND_ORIGIN when nginx serves pages and API on one origin.
API_ORIGIN = env("API_ORIGIN", FRONTEND_ORIGIN).rstrip("/")
MEDIA_BASE_URL = env("MEDIA_BASE_URL", f"{API_ORIGIN}/media/")
MEDIA_URL = MEDIA_BASE_URL if MEDIA_BASE_URL.endswith("/") else f"{MEDIA_BASE_URL}/"
# Content-Security-Policy of the shop's pages, sent by Django where it serves them (SecurityHeadersMiddleware)
# and, with the same words, by nginx.conf in production. Vue compiles the pages' in-DOM templates at run time
# ('unsafe-eval'); images come from the media or FastDFS origin. Only detail pages (/goods/<id>.html) carry an
# inline script (their SKU's price, category and id), so only theirs allows it.
PAGES_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; img-src * data:; "
    f"connect-src 'self' {API_ORIGIN}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DETAIL_PAGES_CSP = PAGES_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
# Django's own HTML (back office, sandbox cashier, Swagger UI) runs inline scripts and styles of its
# libraries; its policy forbids what none of them needs.
DJANGO_PAGES_CSP = "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Serve front_end_pc/ from Django itself (demo and tests); nginx does it in production.
SERVE_FRONT_END = env_bool("SERVE_FRONT_END", False)
GENERATED_STATIC_HTML_FILES_DIR = Path(env("GENERATED_STATIC_HTML_FILES_DIR", FRONT_END_DIR))

# Client address -------------------------------------------------------------------------
# Addresses (or networks, "10.0.0.0/8") of HTTP proxies in front of Django. Only a request whose peer
# (REMOTE_ADDR) is one of them has its client read from X-Forwarded-For (meiduo_mall.utils.origins.client_ip);
# from anyone else the header is the client's own words. nginx.conf needs none: uwsgi_pass hands Django the
# client's address as REMOTE_ADDR.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS")

# Login limits ---------------------------------------------------------------------------
# Failed password logins, the shop's (L1) and the back office's together, counted by django-axes in the
# database (so they hold with Redis down) and judged by meiduo_mall/apps/users/login_limits.py. A counter per
# (client IP, account) and one per client IP; none per account alone, or a stranger failing from elsewhere
# would lock the owner out. After `limit` failures the client waits `first_wait` seconds, twice as long after
# each further failure, at most `max_wait`; a counter forgets its failures `forget_after` seconds after the
# latest (longer than the longest wait, so a guesser who waits it out still meets it), and a successful login
# clears its (client IP, account) counter. The per-IP limit is high: many shoppers share one carrier address.
LOGIN_LIMITS = [
    {"parameters": ["ip_address", "username"], "limit": 5, "first_wait": 60, "max_wait": 86400, "forget_after": 604800},
    {"parameters": ["ip_address"], "limit": 50, "first_wait": 60, "max_wait": 3600, "forget_after": 86400},
]
AXES_HANDLER = "meiduo_mall.apps.users.login_limits.LoginLimitsHandler"
AXES_LOCKOUT_PARAMETERS = [rule["parameters"] for rule in LOGIN_LIMITS]
# Axes' own lock (every counter against one limit, then one fixed cool-off) is off: LoginLimitsHandler locks.
AXES_LOCK_OUT_AT_FAILURE = False
# Only where axes lists its records in the back office: the first limit marks a row as locked there.
AXES_FAILURE_LIMIT = LOGIN_LIMITS[0]["limit"]
# Records whose latest failure is older than every counter's memory are deleted.
AXES_COOLOFF_TIME = timedelta(seconds=max(rule["forget_after"] for rule in LOGIN_LIMITS))
AXES_RESET_ON_SUCCESS = True
# A try while the client waits is refused unchecked; counting it too would make the wait grow without a guess.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "meiduo_mall.apps.users.login_limits.account_of"
AXES_CLIENT_IP_CALLABLE = "meiduo_mall.utils.origins.client_ip"
AXES_LOCKOUT_CALLABLE = "meiduo_mall.apps.users.login_limits.lockout_response"
# No row per successful login: JWT logins are many, and the counters are all the limits need.
AXES_DISABLE_ACCESS_LOG = True
# Axes' own back-office pages are English and filter by date in the database, which needs MariaDB's time zone
# tables; the records are cleared with `manage.py axes_reset_ip` / `axes_reset_username` (docs/security.md).
AXES_ENABLE_ADMIN = False

# Verification codes ---------------------------------------------------------------------
IMAGE_CODE_REDIS_EXPIRES = 300
SMS_CODE_REDIS_EXPIRES = 300
SEND_SMS_CODE_INTERVAL = 60
SMS_DAILY_LIMIT_PER_MOBILE = 10
SMS_HOURLY_LIMIT_PER_IP = 20
SMS_MAX_WRONG_GUESSES = 5
SMS_BACKEND = env("SMS_BACKEND", "meiduo_mall.apps.verifications.sms.console.ConsoleSMSBackend")
RONGLIAN = {
    "ACCOUNT_SID": env("RONGLIAN_ACCOUNT_SID", ""),
    "AUTH_TOKEN": env("RONGLIAN_AUTH_TOKEN", ""),
    "APP_ID": env("RONGLIAN_APP_ID", ""),
    "TEMPLATE_ID": env("RONGLIAN_TEMPLATE_ID", "1"),
    "BASE_URL": env("RONGLIAN_BASE_URL", "https://app.cloopen.com:8883"),
    # After-sales notices, one approved template each (values in verifications/sms/base.py NOTICE_VALUES).
    "TEMPLATES": {
        "return_approved": env("RONGLIAN_RETURN_APPROVED_TEMPLATE_ID", ""),
        "refund_succeeded": env("RONGLIAN_REFUND_SUCCEEDED_TEMPLATE_ID", ""),
    },
}

# Tokens ---------------------------------------------------------------------------------
VERIFY_EMAIL_TOKEN_EXPIRES = 24 * 3600
ACCESS_TOKEN_EXPIRES = 600

# Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FROM = env("EMAIL_FROM", "美多商城<noreply@meiduo.site>")
DEFAULT_FROM_EMAIL = EMAIL_FROM

# Search ---------------------------------------------------------------------------------
HAYSTACK_CONNECTIONS = {
    "default": {
        # Embedded: tantivy with jieba (search/backends/tantivy_jieba.py); production overrides it with Elasticsearch.
        "ENGINE": "meiduo_mall.apps.goods.search.backends.tantivy_jieba.TantivyEngine",
        "PATH": str(VAR_DIR / "search_index"),
    },
}
HAYSTACK_SIGNAL_PROCESSOR = "meiduo_mall.apps.goods.search.signals.SKUSearchSignalProcessor"

# Back-office spreadsheets (meiduo_mall/utils/spreadsheets.py, export_jobs.py) -----------------------
# An import applies all its rows in one transaction or none of them.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Larger exports are written by a worker into EXPORT_DIR (never served as media) and kept a day.
EXPORT_SYNC_ROW_LIMIT = 2000
EXPORT_DIR = VAR_DIR / "exports"
EXPORT_KEEP_SECONDS = 24 * 3600
CELERY_BEAT_SCHEDULE["delete-old-exports"] = {
    "task": "delete_old_exports",
    "schedule": 3600.0,
    "options": {"expires": 3600.0},
}

# Catalog --------------------------------------------------------------------------------
HOT_SKUS_COUNT_LIMIT = 2
# Seconds a worker answers list pages, hot SKUs, breadcrumbs and areas from its own memory before asking
# Redis for the version again (meiduo_mall/utils/ready_json.py): a change made elsewhere shows within that.
READY_JSON_LOCAL_SECONDS = 1.0
# A deep list page starts from a mark kept every this many rows (goods/services.py rows_from_nearest_mark).
LIST_MARK_STRIDE = 1000
# The static home page picks up new ads and menu changes within 5 minutes. A run still queued when
# the next is due is dropped (expires), so a stopped worker does not come back to a backlog.
CELERY_BEAT_SCHEDULE["generate-index-html"] = {
    "task": "generate_index_html",
    "schedule": 300.0,
    "options": {"expires": 300.0},
}
USER_BROWSING_HISTORY_COUNTS_LIMIT = 5

# Orders and payment ---------------------------------------------------------------------
# The freight of every order while no FreightRule is active (the back office's 运费规则 replace it).
ORDER_FREIGHT = "10.00"
# New members get every active 新人券 coupon at registration (coupons.services.grant_new_member_coupons).
NEW_MEMBER_COUPONS = env_bool("NEW_MEMBER_COUPONS", True)
UNPAID_ORDER_TIMEOUT_MINUTES = int(env("UNPAID_ORDER_TIMEOUT_MINUTES", "30"))
# 7天无理由退货: a received order takes returns for this many days after its receipt (orders.returns).
RETURN_DAYS = int(env("RETURN_DAYS", "7"))
# Unpaid orders past the timeout give their stock back; beat checks every minute.
CELERY_BEAT_SCHEDULE["cancel-expired-orders"] = {
    "task": "cancel_expired_orders",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# Orders count sales on the SKU only (the SPU row would be a second hot row); SPU sales follow within a minute.
CELERY_BEAT_SCHEDULE["refresh-goods-sales"] = {
    "task": "refresh_goods_sales",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# Refunds still 退款中 (the gateway answered "processing", or never answered) are asked about every minute.
CELERY_BEAT_SCHEDULE["query-processing-refunds"] = {
    "task": "query_processing_refunds",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# Who takes the payments: the built-in sandbox here (dev, demo, tests), Alipay itself in production.
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", "meiduo_mall.apps.payment.gateways.sandbox.SandboxGateway")
ALIPAY_APPID = env("ALIPAY_APPID", "2016000000000000")
ALIPAY_SELLER_ID = env("ALIPAY_SELLER_ID", "")
ALIPAY_APP_PRIVATE_KEY_PATH = env("ALIPAY_APP_PRIVATE_KEY_PATH", str(VAR_DIR / "alipay" / "app_private_key.pem"))
ALIPAY_PUBLIC_KEY_PATH = env("ALIPAY_PUBLIC_KEY_PATH", str(VAR_DIR / "alipay" / "alipay_public_key.pem"))
ALIPAY_URL = env("ALIPAY_URL", f"{API_ORIGIN}/payment/sandbox/gateway/")
ALIPAY_DEBUG = env_bool("ALIPAY_DEBUG", True)
ALIPAY_NOTIFY_URL = env("ALIPAY_NOTIFY_URL", f"{API_ORIGIN}/payment/notify/")
# Seconds a server-to-server call to Alipay (a refund, its query) may take before it counts as unanswered.
ALIPAY_API_TIMEOUT = float(env("ALIPAY_API_TIMEOUT", "5"))
# The built-in sandbox's side of Alipay's openapi (refunds), served by this shop at the sandbox's prefix.
SANDBOX_OPENAPI_URL = env("SANDBOX_OPENAPI_URL", f"{API_ORIGIN}/payment/sandbox/gateway.do")

# QQ login -------------------------------------------------------------------------------
QQ_LOGIN_CLIENT = env("QQ_LOGIN_CLIENT", "meiduo_mall.apps.oauth.clients.qq.QQConnectClient")
QQ_CLIENT_ID = env("QQ_CLIENT_ID", "")
QQ_CLIENT_SECRET = env("QQ_CLIENT_SECRET", "")
QQ_REDIRECT_URI = env("QQ_REDIRECT_URI", f"{FRONTEND_ORIGIN}/oauth_callback.html")
QQ_BASE_URL = env("QQ_BASE_URL", "https://graph.qq.com")

# Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO"},
        "meiduo": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A line per failed login (account and address masked) and per lockout.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
