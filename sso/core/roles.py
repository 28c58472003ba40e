"""Staff roles as data: each role is a Django group holding the permissions listed here.

Apps add their permissions to the roles that need them as they land. `roles_sync`
brings the groups in the database in line with this table after every migrate.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    description: str
    permissions: tuple[str, ...]


_STAFF = ("core.view_office", "core.view_province")
_QUEUE_VIEW = ("queueing.view_ticket", "queueing.view_service", "queueing.view_counter", "queueing.view_board")
_COUNTER = _QUEUE_VIEW + ("queueing.add_ticket", "queueing.serve_counter")
_QUEUE_WATCH = _QUEUE_VIEW + (
    "queueing.add_ticket",
    "queueing.view_queue_live",
    "queueing.view_servicetarget",
    "queueing.plan_counters",
)
_QUEUE_ADMIN = _QUEUE_WATCH + (
    "queueing.add_service",
    "queueing.change_service",
    "queueing.add_counter",
    "queueing.change_counter",
    "queueing.view_officeclosure",
    "queueing.add_officeclosure",
    "queueing.change_officeclosure",
)

_REGISTRY_VIEW = (
    "registry.view_insuredperson",
    "registry.view_employer",
    "registry.view_branch",
    "registry.view_employment",
    "registry.view_dependant",
    "registry.view_hospital",
    "registry.view_bank",
    "registry.view_sectionspell",
    "registry.view_hospitalregistration",
    "registry.view_bankaccount",
    "registry.view_bulkupload",
)
_REGISTRY_COUNTER = _REGISTRY_VIEW + (
    "registry.add_insuredperson",
    "registry.change_insuredperson",
    "registry.add_employer",
    "registry.change_employer",
    "registry.add_branch",
    "registry.add_employment",
    "registry.change_employment",
    "registry.add_dependant",
    "registry.add_sectionspell",
    "registry.add_hospitalregistration",
    "registry.add_bankaccount",
    "registry.add_bulkupload",
)
_REGISTRY_VERIFY = _REGISTRY_COUNTER + ("registry.merge_insuredperson",)

_BENEFITS_VIEW = (
    "benefits.view_claim",
    "benefits.view_claimstep",
    "benefits.view_claimdocument",
    "benefits.view_benefitparameter",
    "benefits.view_documentrequirement",
    "benefits.view_appeal",
    "benefits.view_medicalreceipt",
)
# Counter officers decide the clear-cut claims at the counter (record, examine, adjudicate).
_BENEFITS_COUNTER = _BENEFITS_VIEW + (
    "benefits.add_claim",
    "benefits.change_claim",
    "benefits.change_claimdocument",
    "benefits.adjudicate_claim",
    "benefits.add_appeal",
    "benefits.change_appeal",
)
_BENEFITS_BACKOFFICE = (
    "benefits.view_paymentorder",
    "benefits.change_paymentorder",
    "benefits.view_paymentbatch",
    "benefits.add_paymentbatch",
    "benefits.change_paymentbatch",
    "benefits.pay_claim",
    "benefits.view_claimfinding",
    "benefits.change_claimfinding",
    # Hospitals' high-cost requests: recorded and checked here (the first step), paid by batch.
    "benefits.view_hospitalrequest",
    "benefits.add_hospitalrequest",
    "benefits.check_hospitalrequest",
    "benefits.view_hospitalcase",
    "benefits.view_hospitalbatch",
    "benefits.add_hospitalbatch",
)

_CONTRIBUTIONS_VIEW = (
    "contributions.view_statement",
    "contributions.view_statementline",
    "contributions.view_payment",
    "contributions.view_receipt",
    "contributions.view_contributionmonth",
    "contributions.view_finding",
    "contributions.view_reimbursement",
    "contributions.view_reimbursementbatch",
    "contributions.view_contributionrate",
    "contributions.view_voluntaryrate",
    "contributions.view_section40option",
    "contributions.view_surchargerule",
)
_CONTRIBUTIONS_COUNTER = _CONTRIBUTIONS_VIEW + ("contributions.add_statement", "contributions.add_payment")
_CONTRIBUTIONS_VERIFY = _CONTRIBUTIONS_COUNTER + (
    "contributions.verify_statement",
    "contributions.change_finding",
    "contributions.change_reimbursement",
    "contributions.add_reimbursementbatch",
    "contributions.view_arrears",
    # The arrears follow-up: a notice letter issued and its sending recorded (issue 15).
    "contributions.add_arrearsnotice",
    "contributions.view_arrearsnotice",
)
_CONTRIBUTIONS_WATCH = _CONTRIBUTIONS_VIEW + ("contributions.view_arrears", "contributions.void_receipt")
# The dated rule tables are read here by administrators (the admin shows them read-only) and
# changed only on the rules page, with four eyes, by head-office rules administrators.
_RULES_VIEW = (
    "contributions.view_contributionrate",
    "contributions.view_voluntaryrate",
    "contributions.view_section40option",
    "contributions.view_surchargerule",
    "contributions.view_collectionrule",
    "benefits.view_benefitparameter",
    "benefits.view_documentrequirement",
    "registry.view_registrationrule",
    "queueing.view_servicetarget",
)

ROLES = (
    Role(
        "counter_officer",
        _("Counter officer"),
        _("Serves walk-in employers and insured persons at a counter."),
        _STAFF + _COUNTER + _REGISTRY_COUNTER + _CONTRIBUTIONS_COUNTER + _BENEFITS_COUNTER,
    ),
    Role(
        "backoffice_verifier",
        _("Back-office verifier"),
        _("Verifies recorded cases later, from work queues."),
        _STAFF + _REGISTRY_VERIFY + _CONTRIBUTIONS_VERIFY + _BENEFITS_COUNTER + _BENEFITS_BACKOFFICE,
    ),
    Role(
        "supervisor",
        _("Supervisor"),
        _("Watches service times and the work of one office."),
        _STAFF
        + _QUEUE_WATCH
        + _REGISTRY_VIEW
        + _CONTRIBUTIONS_WATCH
        + _BENEFITS_VIEW
        + ("benefits.view_paymentorder", "benefits.view_paymentbatch", "benefits.view_claimfinding")
        + ("benefits.adjudicate_claim", "benefits.confirm_override", "benefits.decide_appeal")
        # The second step of a hospital's high-cost request (four eyes).
        + ("benefits.view_hospitalrequest", "benefits.view_hospitalcase", "benefits.approve_hospitalrequest")
        + ("contributions.confirm_payment_date", "contributions.add_arrearsnotice", "contributions.view_arrearsnotice")
        + ("registry.confirm_merge", "registry.unmerge_insuredperson", "registry.view_personmerge")
        + ("core.view_audit_history", "core.view_user", "core.view_reports", "core.set_public_notice"),
    ),
    Role(
        "national_supervisor",
        _("National supervisor"),
        _("Watches every office."),
        _STAFF
        + _QUEUE_WATCH
        + _REGISTRY_VIEW
        + _CONTRIBUTIONS_WATCH
        + _BENEFITS_VIEW
        + ("core.view_audit_history", "core.view_user", "core.view_all_offices", "core.view_reports"),
    ),
    Role(
        "administrator",
        _("Administrator"),
        _("Manages offices, staff accounts and reference data."),
        _STAFF
        + _QUEUE_ADMIN
        + _REGISTRY_VERIFY
        + _CONTRIBUTIONS_VERIFY
        + _CONTRIBUTIONS_WATCH
        + _RULES_VIEW
        + _BENEFITS_VIEW
        + _BENEFITS_BACKOFFICE
        + (
            "registry.add_hospital",
            "registry.change_hospital",
            "core.view_audit_history",
            "core.view_all_offices",
            "core.view_reports",
            "core.add_office",
            "core.change_office",
            "core.view_user",
            "core.add_user",
            "core.change_user",
            "core.view_device",
            "core.add_device",
            "core.change_device",
            "core.set_public_notice",
        ),
    ),
    Role(
        "rules_administrator",
        _("Head-office rules administrator"),
        _(
            "Proposes and confirms the changes of the rule tables (rates, ceilings, benefit parameters,"
            " targets): a change takes effect once a second one confirms it. Head office only."
        ),
        _STAFF + _RULES_VIEW + ("core.manage_rules", "core.view_audit_history"),
    ),
)

ROLES_BY_CODE = {role.code: role for role in ROLES}


def _permission_lookup(codes):
    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = {}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={codename for _app, codename in wanted}
    ):
        key = (perm.content_type.app_label, perm.codename)
        if key in wanted:
            found[f"{key[0]}.{key[1]}"] = perm
    return found


def roles_sync() -> list[str]:
    """Create the role groups and set their permissions; returns permissions not (yet) in the database."""
    all_codes = {code for role in ROLES for code in role.permissions}
    perms = _permission_lookup(all_codes)
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.code)
        group.permissions.set([perms[code] for code in role.permissions if code in perms])
    return sorted(all_codes - perms.keys())


def roles_sync_on_migrate(sender, using="default", **kwargs):
    # Permissions of apps migrated later are picked up by the later post_migrate calls.
    roles_sync()


def role_names(user) -> list[str]:
    return [str(ROLES_BY_CODE[code].name) for code in user.role_codes if code in ROLES_BY_CODE]
