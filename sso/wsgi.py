import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
application = get_wsgi_application()

# The counters' call-next is answered ahead of the middleware (see queueing.api.fast).
from queueing.api.fast import CallNextFastPath  # noqa: E402

application = CallNextFastPath(application)
