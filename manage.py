#!/usr/bin/env python
"""Django's command-line utility, with configuration and connection errors shown as one line."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"configuration error: {exc}")
    except OperationalError as exc:
        from sso.env import redacted_url

        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        url = redacted_url(os.environ.get("DATABASE_URL", "(DATABASE_URL not set)"))
        sys.exit(f"database error: cannot use the database at {url} (DATABASE_URL): {first_line}")


if __name__ == "__main__":
    main()
