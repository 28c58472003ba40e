"""A pairing code for an office's public screen: `manage.py device_pairing_code <office> <kind>`.

The office's first device of that kind that is not revoked (registered now if it has none)
gets a new one-time code (valid sso.core.devices.PAIRING_MINUTES, used once), printed here
and kept nowhere but as its hash. On the screen, open /device/pair/ and type it. The admin's
Devices page does the same for an office's administrator ("Show a new pairing code")."""

from django.core.management.base import BaseCommand, CommandError

from sso.core.models import Device, Office
from sso.core.services import device_pairing_code_new, device_register


class Command(BaseCommand):
    help = "Print a new one-time pairing code for an office's device of a kind (registered if missing)."

    def add_arguments(self, parser):
        parser.add_argument("office", help="the office's code, e.g. 1001")
        parser.add_argument("kind", choices=Device.Kind.values)

    def handle(self, *args, office, kind, **options):
        found = Office.objects.filter(code=office, is_active=True).first()
        if found is None:
            raise CommandError(f"No active office {office!r}.")
        device = Device.objects.filter(office=found, kind=kind, revoked_at__isnull=True).order_by("pk").first()
        if device is None:
            name = f"{Device.Kind(kind).label} 1"
            device, code = device_register(device=Device(office=found, kind=kind, name=name), officer=None)
        else:
            code = device_pairing_code_new(device=device, officer=None)
            device.refresh_from_db()
        self.stdout.write(
            f"{code[:4]} {code[4:]}\n{device} of {found.code}: open /device/pair/ on the screen and type the code "
            f"before {device.pairing_expires_at:%H:%M} UTC (once)."
        )
