import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
application = get_wsgi_application()

# The counters' call-next and the kiosks' ticket are answered ahead of the middleware
# (see queueing.api.fast).
from queueing.api.fast import QueueFastPath  # noqa: E402

application = QueueFastPath(application)

# Load every URLconf and view module now, then move all of it out of the garbage
# collector's sight: a full collection of the ~130,000 objects a worker holds after start-up
# takes 60-70 ms here with every request thread of the worker stopped: a tail on every
# request in flight. What requests allocate afterwards is still collected.
from django.urls import get_resolver  # noqa: E402

get_resolver().reverse_dict  # noqa: B018
# uWSGI loads this module once in its master and forks the workers from it: nothing here may
# open a database connection the workers would then share (tests/test_wsgi_server.py checks).
gc.collect()
gc.freeze()
