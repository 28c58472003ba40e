from sso.core.menu import MenuItem  # noqa: F401  (entries are added as the pages land)

ITEMS = ()
