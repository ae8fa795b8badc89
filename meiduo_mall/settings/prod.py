"""Production: MySQL/MariaDB primary + replica, Redis, Celery workers, SMTP, Ronglian SMS, Alipay."""

import os

from .base import *  # noqa: F403
from .base import env, env_bool, env_list, mysql_database, replica_database

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405
# 127.0.0.1 and localhost: health checks and the smoke run reach nginx on loopback.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "api.meiduo.site,www.meiduo.site,127.0.0.1,localhost")
# Only the configured pages origins may call the API with credentials: neither the dev ports of base nor its
# default FRONTEND_ORIGIN (a loopback http origin); with pages and API on one origin none is needed.
CORS_ALLOWED_ORIGINS = [
    origin.rstrip("/") for origin in [env("FRONTEND_ORIGIN", ""), *env_list("CORS_EXTRA_ORIGINS")] if origin
]
# The schema and Swagger UI describe every endpoint to anyone; in production only when asked for.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

DATABASES = {"default": mysql_database()}
# A hung or unreachable MariaDB costs a worker seconds, not the 30 s of a client's default (mysqlclient
# options, seconds). A statement waiting longer than the read timeout is cut off and answers 503.
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"]["OPTIONS"],
    "connect_timeout": int(env("DB_CONNECT_TIMEOUT", "3")),
    "read_timeout": int(env("DB_READ_TIMEOUT", "15")),
    "write_timeout": int(env("DB_WRITE_TIMEOUT", "15")),
}
if env("DB_REPLICA_HOST"):
    DATABASES["replica"] = replica_database(DATABASES["default"])

SMS_BACKEND = env("SMS_BACKEND", "meiduo_mall.apps.verifications.sms.ronglian.RonglianSMSBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

STORAGES["default"] = {  # noqa: F405
    "BACKEND": env("DEFAULT_FILE_STORAGE_BACKEND", "meiduo_mall.utils.fastdfs.storage.FastDFSStorage")
}

PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway"
ALIPAY_DEBUG = env_bool("ALIPAY_DEBUG", False)
ALIPAY_URL = env("ALIPAY_URL", "https://openapi.alipay.com/gateway.do")

# Elasticsearch 7 with the IK plugin; a search answers 503 within the timeout when the cluster is down.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "meiduo_mall.apps.goods.search.backends.elasticsearch_ik.IKElasticsearchEngine",
        "URL": env("ELASTICSEARCH_URL", "http://127.0.0.1:9200/"),
        "INDEX_NAME": env("ELASTICSEARCH_INDEX", "meiduo"),
        "TIMEOUT": float(env("ELASTICSEARCH_TIMEOUT", "5")),
    },
}

# nginx sets X-Forwarded-Proto itself (never passes the client's), so Django may trust it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# false for an HTTP-only deployment (the smoke run on loopback): no redirect to https, no Secure cookies.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Secure cookies are never sent back over plain HTTP; they follow the redirect unless set apart.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CART_COOKIE_SECURE = env_bool("SECURE_COOKIES", SECURE_SSL_REDIRECT)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "https://api.meiduo.site,https://www.meiduo.site")
