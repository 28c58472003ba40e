"""Issue an API token to a user: `manage.py api_token_issue <username> [--system-client]`.

A registered system client (a kiosk, a bank's file exchange) gets a token that lives
API_SYSTEM_TOKEN_DAYS; anyone else API_TOKEN_HOURS. The user's previous token stops working.
The key is printed once, here, and shown nowhere else.
"""

from django.core.management.base import BaseCommand, CommandError

from sso.core.models import User
from sso.core.tokens import api_token_issue, token_expires_at


class Command(BaseCommand):
    help = "Issue an API token to a user (replacing the one they had); prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--system-client", action="store_true", help="a registered system: a longer lifetime")

    def handle(self, *args, username, system_client, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
        token = api_token_issue(user=user, system_client=system_client)
        self.stdout.write(f"{token.key}\nexpires {token_expires_at(token).isoformat()}")
