import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
application = get_wsgi_application()

# Hot paths answered ahead of the middleware (settings.WSGI_WRAPPERS, innermost first: the
# counters' call-next, queueing.api.fast), applying the same policy (sso.core.policy). Named
# by setting: the project package imports no app.
from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

for wrapper in getattr(settings, "WSGI_WRAPPERS", ()):
    application = import_string(wrapper)(application)

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
