import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver, reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.prod")

application = get_wsgi_application()

# Django imports the URL table (every view, serializer and the search engine with jieba's dictionary) on the
# first request and builds the reverse lookup on the first reverse(). Done here, it happens once in the uwsgi
# master before it forks (no lazy-apps), so neither a new nor a recycled worker pays for it.
# Neither touches the database or Redis, so no connection is opened before the fork.
get_resolver().url_patterns
reverse("health")
