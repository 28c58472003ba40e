"""Registry API views (filled by the API work)."""

ROUTES = []  # (prefix, viewset, basename)
PATHS = []  # extra path() entries: counter forms and lookups
