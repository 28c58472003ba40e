"""Writes to offices, staff and devices. Views, forms and the API call these; none saves a record itself."""

import csv
import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sso.core import devices
from sso.core.models import Device, Office, Province
from sso.core.records import refuse, stamp

PROVINCES_CSV = Path(__file__).resolve().parent / "data" / "provinces.csv"


@transaction.atomic
def provinces_load() -> int:
    """Load the 77 provinces (reference data; the 0002 migration loads the same file)."""
    with PROVINCES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Province.objects.update_or_create(
            code=row["code"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
        )
    return len(rows)


@transaction.atomic
def office_update(*, office: Office, officer, data: dict) -> Office:
    """Change an office's details; only the fields given are written (and audited)."""
    changed = [name for name, value in data.items() if getattr(office, name) != value]
    if not changed:
        return office
    for name in changed:
        setattr(office, name, data[name])
    office._history_user = officer
    office.full_clean()
    office.save(update_fields=changed)
    return office


@transaction.atomic
def office_notice_set(*, office: Office, text: str, officer) -> Office:
    """Set (or clear, with "") the announcement line of an office's public screens."""
    text = " ".join((text or "").split())
    if len(text) > Office._meta.get_field("public_notice").max_length:
        refuse("public_notice", _("The announcement is too long: 200 characters at most."))
    if text == office.public_notice:
        return office
    office.public_notice = text
    stamp(office, officer)
    office.save(update_fields=["public_notice"])
    return office


# --- Devices (kiosks, boards: the office's public screens) ------------------------------------


@transaction.atomic
def device_register(*, device: Device, officer) -> tuple[Device, str]:
    """Register a new device of an office; returns it with its first pairing code."""
    if device.pk is not None:
        refuse("name", _("This device is already registered."))
    device.full_clean(exclude=["office"] if device.office_id else None)
    stamp(device, officer)
    device.save()
    code = device_pairing_code_new(device=device, officer=officer)
    device.refresh_from_db()
    return device, code


@transaction.atomic
def device_pairing_code_new(*, device: Device, officer) -> str:
    """A new one-time pairing code for `device` (valid for PAIRING_MINUTES, used once); the
    code itself is returned to be shown once, only its hash is kept. Pairing again replaces
    the device's credential: the screen that held it is refused from its next request."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is not None:
        refuse("name", _("This device was revoked: register a new one."))
    live = Device.objects.filter(pairing_expires_at__gt=timezone.now()).exclude(pk=device.pk)
    code = devices.pairing_code_make()
    while live.filter(pairing_code_hash=devices.secret_hash(code)).exists():  # two live codes never match
        code = devices.pairing_code_make()
    device.pairing_code_hash = devices.secret_hash(code)
    device.pairing_expires_at = timezone.now() + datetime.timedelta(minutes=devices.PAIRING_MINUTES)
    stamp(device, officer, reason="pairing code")
    device.save(update_fields=["pairing_code_hash", "pairing_expires_at"])
    return code


@transaction.atomic
def device_pair(*, code: str) -> tuple[Device, str]:
    """Pair the screen that typed `code`: the code is spent, the device gets a new credential
    token (returned, to be set in the screen's cookie; only its hash is kept)."""
    digits = "".join(ch for ch in (code or "") if ch.isdigit())
    device = (
        Device.objects.select_for_update()
        .filter(
            pairing_code_hash=devices.secret_hash(digits) if digits else "-",
            pairing_expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
        )
        .first()
    )
    if device is None:
        refuse("code", _("This pairing code is wrong, expired or already used. Ask the administrator for a new one."))
    token = devices.token_make()
    now = timezone.now()
    was_paired = device.token_hash is not None
    device.token_hash = devices.secret_hash(token)
    device.pairing_code_hash, device.pairing_expires_at = "", None
    device.paired_at = device.last_contact_at = now
    stamp(device, None, reason="paired")
    device.save(update_fields=["token_hash", "pairing_code_hash", "pairing_expires_at", "paired_at", "last_contact_at"])
    if was_paired:  # the screen that held the credential before: its open stream ends
        transaction.on_commit(lambda: devices.device_cut(device.pk))
    return device, token


@transaction.atomic
def device_revoke(*, device: Device, officer) -> Device:
    """Revoke a device: its credential is refused from its next request, its pairing code too."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is not None:
        return device
    device.revoked_at = timezone.now()
    device.token_hash = None
    device.pairing_code_hash, device.pairing_expires_at = "", None
    stamp(device, officer, reason="revoked")
    device.save(update_fields=["revoked_at", "token_hash", "pairing_code_hash", "pairing_expires_at"])
    transaction.on_commit(lambda: devices.device_cut(device.pk))  # its open stream ends too
    return device
