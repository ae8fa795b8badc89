"""Production settings as shipped, with the embedded search engine of dev and the demo.

The bench measures search on this machine, where no Elasticsearch runs; everything else is
meiduo_mall.settings.prod. run.sh puts this directory on PYTHONPATH for uwsgi, Celery and manage.py.
"""

import copy

from meiduo_mall.settings import base
from meiduo_mall.settings.prod import *  # noqa: F403

HAYSTACK_CONNECTIONS = copy.deepcopy(base.HAYSTACK_CONNECTIONS)
