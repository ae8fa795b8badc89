"""Production: MySQL/MariaDB primary + replica, Redis, Celery workers, SMTP, Ronglian SMS, Alipay."""

import os

from .base import *  # noqa: F403
from .base import env, env_bool, env_list, mysql_database

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "api.meiduo.site,www.meiduo.site")

DATABASES = {"default": mysql_database()}
if env("DB_REPLICA_HOST"):
    DATABASES["replica"] = mysql_database(prefix="DB_REPLICA", default_name=DATABASES["default"]["NAME"])

SMS_BACKEND = env("SMS_BACKEND", "meiduo_mall.apps.verifications.sms.ronglian.RonglianSMSBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

ALIPAY_SANDBOX_ENABLED = False
ALIPAY_DEBUG = env_bool("ALIPAY_DEBUG", False)
ALIPAY_URL = env("ALIPAY_URL", "https://openapi.alipay.com/gateway.do")

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
        "URL": env("ELASTICSEARCH_URL", "http://127.0.0.1:9200/"),
        "INDEX_NAME": "meiduo",
    },
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "https://api.meiduo.site,https://www.meiduo.site")
