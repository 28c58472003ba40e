"""Demo offices and one user per role per office (documented passwords, demo only)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from sso.core.models import Office, Province, User
from sso.core.roles import ROLES, ROLES_BY_CODE, roles_sync
from sso.core.services import provinces_load

DEMO_PASSWORD = "sso-demo-2569"

# (code, kind, province code, Thai name, English name, login prefix)
DEMO_OFFICES = (
    ("1000", Office.Kind.HEAD, "12", "สำนักงานประกันสังคม (ส่วนกลาง)", "Social Security Office, head office", "hq"),
    ("1001", Office.Kind.AREA, "10", "สำนักงานประกันสังคมกรุงเทพมหานครพื้นที่ 1", "Bangkok Area Office 1", "bkk1"),
    ("1004", Office.Kind.AREA, "10", "สำนักงานประกันสังคมกรุงเทพมหานครพื้นที่ 4", "Bangkok Area Office 4", "bkk4"),
    ("5000", Office.Kind.PROVINCIAL, "50", "สำนักงานประกันสังคมจังหวัดเชียงใหม่", "Chiang Mai Provincial Office", "cmi"),
    ("4000", Office.Kind.PROVINCIAL, "40", "สำนักงานประกันสังคมจังหวัดขอนแก่น", "Khon Kaen Provincial Office", "kkn"),
    ("9000", Office.Kind.PROVINCIAL, "90", "สำนักงานประกันสังคมจังหวัดสงขลา", "Songkhla Provincial Office", "ska"),
)

ROLE_LOGIN = {
    "counter_officer": "counter",
    "backoffice_verifier": "verifier",
    "supervisor": "supervisor",
    "national_supervisor": "national",
    "administrator": "admin",
}
# Head office only, two of them: a rule change needs a second rules administrator to confirm.
RULES_LOGINS = ("rules1", "rules2")


def demo_username(office_prefix: str, role_code: str) -> str:
    return f"{office_prefix}.{ROLE_LOGIN[role_code]}"


def add_arguments(parser):
    parser.add_argument(
        "--offices", type=int, default=len(DEMO_OFFICES), help="total offices (extra provincial offices are generated)"
    )


def _extra_offices(total: int, provinces: dict) -> int:
    """Provincial offices beyond the named demo ones, one per province in code order."""
    existing = Office.objects.count()
    codes = sorted(provinces)
    added = 0
    for index in range(max(0, total - existing)):
        province = provinces[codes[index % len(codes)]]
        code = f"P{province.code}{(index // len(codes)) + 1:02d}"
        _office, created = Office.objects.get_or_create(
            code=code,
            defaults={
                "kind": Office.Kind.PROVINCIAL,
                "province": province,
                "name_th": f"สำนักงานประกันสังคมจังหวัด{province.name_th} ({code})",
                "name_en": f"{province.name_en} Provincial Office ({code})",
            },
        )
        added += created
    return added


@transaction.atomic
def seed(*, stdout=None, **options) -> None:
    """Idempotent: offices and users are created once and left as they are afterwards."""
    roles_sync()
    if Province.objects.count() < 77:
        provinces_load()
    provinces = {p.code: p for p in Province.objects.all()}
    created_users = 0
    for code, kind, province, name_th, name_en, prefix in DEMO_OFFICES:
        office, _ = Office.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "province": provinces[province],
                "name_th": name_th,
                "name_en": name_en,
                "opened_on": datetime.date(1991, 3, 1),
            },
        )
        logins = [(role, demo_username(prefix, role.code)) for role in ROLES if role.code in ROLE_LOGIN]
        if kind == Office.Kind.HEAD:
            logins += [(ROLES_BY_CODE["rules_administrator"], f"{prefix}.{login}") for login in RULES_LOGINS]
        for role, username in logins:
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create(
                username=username,
                password=make_password(DEMO_PASSWORD),
                office=office,
                first_name=str(role.name),
                last_name=name_en,
                is_staff=role.code == "administrator",
            )
            user.groups.add(Group.objects.get(name=role.code))
            created_users += 1
    extra = _extra_offices(options.get("offices") or 0, provinces)
    devices = _demo_devices()
    if stdout is not None:
        stdout.write(f"core: {Office.objects.count()} offices ({extra} new generated), {created_users} new demo users")
        stdout.write(
            f"core: {devices} new devices (a kiosk and a board per demo office). To pair one, print its code with"
            " `manage.py device_pairing_code 1001 kiosk` (or `board`; the admin's Devices page shows one too),"
            " open http://127.0.0.1:8000/device/pair/ in the screen's browser (no sign-in) and type it within"
            " 10 minutes."
        )


def _demo_devices() -> int:
    """A kiosk and a board registered for every demo office (not paired: a code pairs them)."""
    from sso.core.models import Device
    from sso.core.services import device_register

    added = 0
    for office in Office.objects.filter(code__in=[row[0] for row in DEMO_OFFICES]):
        for kind, name in ((Device.Kind.KIOSK, "Kiosk 1"), (Device.Kind.BOARD, "Board 1")):
            if not Device.objects.filter(office=office, kind=kind).exists():
                device_register(device=Device(office=office, kind=kind, name=name), officer=None)
                added += 1
    return added


def ids_reserve(cursor, table: str, count: int) -> int:
    """The first of `count` ids taken for `table` (the sequence is moved past them)."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), (SELECT last_value FROM {sequence}))")
    first = cursor.fetchone()[0] + 1
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first
