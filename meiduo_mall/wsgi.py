import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.prod")

application = get_wsgi_application()

# Django imports the URL table (every view, serializer and the search engine with jieba's dictionary) and builds
# its reverse lookup on first use. A reverse() here does both once in the uwsgi master, before it forks its
# workers (no lazy-apps), so neither a new nor a recycled worker pays for it. It touches neither the database
# nor Redis, so no connection is opened before the fork.
reverse("health")
