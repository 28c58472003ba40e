"""Who may open what, for every URL the project serves: the URL conf × every role × a record
of the user's own office and one of another office, against one table of expected answers.

The URLs come from the URL conf itself (`get_resolver().url_patterns`, walked recursively:
pages, the API and the admin site), so a new URL is in the matrix without anyone adding it,
and the test fails until EXPECTED says who may open it and, if it takes parameters, KWARGS
says which real record of each office fills them.

Every URL is asked with GET by every role and by the anonymous visitor. An office-bound role
(counter officer, verifier, supervisor) is asked about a record of its own office and one of
another office; where the table expects one answer for both offices, once (`_offices`): a role
that sees every office, about another office's record; a refusal for want of sign-in or of a
permission, about the role's own office's record (the anonymous visitor and the outsider have
no office).

Every URL is also POSTed to (empty body) by the roles that may not change it: the roles that
may read but not write, office-bound roles on another office's record, the anonymous visitor,
and the roles the API, the admin or a POST-only form refuses. Each such POST must be refused
(401/403/404/405, a redirect to a login page, or the admin's "no such object") and write
nothing (PostgreSQL's per-transaction row counters, `pg_stat_xact_user_tables`, must not
move). Refusals that the GET already proves for every method are not asked again (`_posts`):
the admin site's gate for users who are not staff, and a page's permission decorators (one
refused role is asked per page). Allowed roles are not sent POSTs: whether a valid POST works
is each app's own tests' job.

Both tests loop over the table and collect every mismatch into one report, one line per
(URL, role, office, expected, got), rather than stopping at the first.

The records and the signed-in clients are built once for the module (`world`, inside a
transaction rolled back at its end); each test runs in a savepoint of it, as usual. A URL
whose answer is expensive to make (a PDF, the schema) is made for the first role that may
open it only; every refusal of it is still asked (`Rule.heavy`). The whole module takes about
40 s on two cores.
"""

import dataclasses
import datetime
import logging
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

OWN, OTHER = "1001", "5000"

# --- Roles -----------------------------------------------------------------------------------
# One letter each; the table below names who may open a URL with these letters.
ROLES = {
    "c": "counter officer",
    "v": "back-office verifier",
    "s": "supervisor",
    "n": "national supervisor",
    "a": "administrator (office 1001, is_staff)",
    "o": "outsider (signed in, no role, no office)",
    "u": "superuser",
}
SEES_ALL_OFFICES = set("nau")  # core.view_all_offices (superuser: every permission)
ANON = "-"  # the anonymous visitor, in reports

# --- Expected answers ------------------------------------------------------------------------
# Status classes: an int is that status; these name the answers that are not one number.
LOGIN = "login"  # 302 to /accounts/login/?next=...
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/?next=...
API_ANON = "401/403"  # the API refuses an anonymous caller
REDIRECT = "3xx"  # a redirect somewhere else than a login page (a form's page, the home page)
OK_OR_503 = "200/503"  # /healthz: 503 while no worker answers, which is not about access
ADMIN_DENIED = "admin-denied"  # admin's refusals of one object: 403, 404, or "no such object" (302 to the admin)
LOGIN_OR_403 = "login/403"  # a page refused to an anonymous visitor, by a redirect to sign in or a 403
REFUSED = "refused"  # a refused POST: 401, 403, 404, 405, a login page, or the admin's "no such object"


# Known holes, marked on their cells (`Rule.xfail`) with one of these reasons: their test is
# expected to fail (strict), so it fails the day they are closed and the mark must go.
HOLES = ()  # none open today


@dataclasses.dataclass(frozen=True)
class Rule:
    who: str  # letters of the roles that may open it (GET)
    ok: object = 200  # what they get
    deny: object = 403  # what the other signed-in roles get
    anon: object = LOGIN  # what an anonymous visitor gets
    other: object = None  # office-bound roles of `who` on another office's record (default: 404)
    post: str | None = None  # letters of the roles that may POST (default: `who`)
    overrides: tuple = ()  # ((role letter, office, status), ...) for the odd cell
    xfail: tuple = ()  # ((role letter, office, reason), ...): known holes, expected to fail until fixed
    post_refused: tuple = ()  # statuses that also count as a refused POST here
    heavy: bool = False  # a costly answer (a PDF): made for the first role that gets `ok` only
    national: bool = False  # about a person, who is national: another office's is served as one's own

    def hole(self, role, office) -> str:
        """Why this cell is a known hole, or ''."""
        return next((reason for letter, where, reason in self.xfail if letter == role and where in (office, "*")), "")

    def expected(self, role, office):
        for letter, where, status in self.overrides:
            if letter == role and where in (office, "*"):
                return status
        if role == ANON:
            return self.anon
        if role not in self.who:
            return self.deny
        if office == OTHER and role not in SEES_ALL_OFFICES and not self.national:
            return self.other if self.other is not None else 404
        return self.ok

    def may_post(self, role, office) -> bool:
        """Whether `role` may POST here (and is not asked to): a role allowed to, on its own
        office's record (any record if it sees every office), unless this cell refuses it."""
        allowed = self.post if self.post is not None else self.who
        if role not in allowed or (office == OTHER and role not in SEES_ALL_OFFICES and not self.national):
            return False
        return self.expected(role, office) not in (403, 404, ADMIN_DENIED, LOGIN, ADMIN_LOGIN, API_ANON)


def may(who, **rule):
    """The roles in `who` get the page; the other signed-in roles 403, anonymous the login page."""
    return Rule(who=who, **rule)


def api(who, **rule):
    """The same for the API: anonymous callers are refused, not redirected."""
    return Rule(**({"who": who, "anon": API_ANON} | rule))


def post_only(who, **rule):
    """A form's action (`require_POST` inside the permission check): GET is 405 to those allowed."""
    return Rule(**({"who": who, "ok": 405, "other": 405} | rule))


def public(**rule):
    """Open to everyone, anonymous visitors included."""
    return Rule(**({"who": "cvsnaou", "anon": 200} | rule))


def device_page(**rule):
    """A public screen's page: a device credential of its kind only (DEVICE_PAGES); every
    staff role and the anonymous visitor are refused (403), whatever they may do elsewhere."""
    return Rule(**({"who": "", "anon": 403} | rule))


# Django's admin: only is_staff users (administrator, superuser) get in; everyone else is sent
# to the admin's login page. An office administrator manages the users of their own office
# only: another office's user is refused (ADMIN_DENIED).
def admin(who="au", **rule):
    """An is_staff user without the model's permission gets 403; the others the admin's login."""
    staff_denied = tuple((letter, "*", 403) for letter in "au" if letter not in who)
    rule["overrides"] = rule.get("overrides", ()) + staff_denied
    return Rule(**({"who": who, "deny": ADMIN_LOGIN, "anon": ADMIN_LOGIN} | rule))


def admin_other_office(who="au", hole="", **rule):
    """An admin page of one office's record that an office administrator may not open for
    another office (the superuser may): 403, 404 or the admin's "no such object" redirect."""
    xfail = (("a", OTHER, hole),) if hole else ()
    return admin(who, overrides=(("a", OTHER, ADMIN_DENIED),), xfail=xfail, **rule)


def not_yours(who):
    """A file kept for the user who made it (an upload's error file): another user's is not
    found, whatever offices the asker sees."""
    return tuple((letter, OTHER, 404) for letter in who if letter in SEES_ALL_OFFICES)


# Roles, as letters, that hold a role's permission; see sso/core/roles.py.
STAFF = "cvsnau"  # core.view_office: every role
REGISTRY_VIEW = "cvsnau"
REGISTRY_EDIT = "cvau"
REGISTRY_MERGE = "vau"
REGISTRY_UNMERGE = "su"  # registry.unmerge_insuredperson
QUEUE_VIEW = "csnau"  # the verifier has no queue permission
QUEUE_SERVE = "cu"  # queueing.serve_counter
QUEUE_LIVE = "snau"
CONTRIB_VIEW = "cvsnau"
CONTRIB_FILE = "cvau"  # contributions.add_statement / add_payment
CONTRIB_VERIFY = "vau"
CONTRIB_ARREARS = "vsnau"
CONTRIB_VOID = "snau"  # contributions.void_receipt
CONTRIB_NOTICE = "vsau"  # contributions.add_arrearsnotice
BENEFIT_VIEW = "cvsnau"
BENEFIT_RECORD = "cvu"  # benefits.add_claim, change_claimdocument, add_appeal
BENEFIT_PAY_VIEW = "vsau"  # benefits.view_paymentorder
BENEFIT_PAY = "vau"  # benefits.pay_claim
BENEFIT_VERIFY = "vau"  # benefits.change_claimfinding
HISTORY = "snau"  # core.view_audit_history
ALL_SIGNED_IN = "cvsnaou"
REPORTS = "snau"  # core.view_reports
REPORTS_NATIONAL = "nau"  # core.view_reports and core.view_all_offices
PLANNER = "snau"  # queueing.plan_counters
NOTICE = "sau"  # core.set_public_notice: the board's announcement line
RULES = "u"  # core.manage_rules at head office: the rules administrator role, held by none of the cast

EXPECTED = {
    # --- Public pages and accounts.
    "home": may(ALL_SIGNED_IN),
    "healthz": public(ok=OK_OR_503, anon=OK_OR_503),
    "login": public(ok=REDIRECT, post=ALL_SIGNED_IN + "-"),  # a signed-in user is sent on (redirect_authenticated_user)
    "logout": may(ALL_SIGNED_IN, ok=405, anon=405, post=ALL_SIGNED_IN + "-"),  # POST only; anyone may sign out
    "password_change": may(ALL_SIGNED_IN),
    "password_change_done": may(ALL_SIGNED_IN),
    "set_language": public(ok=REDIRECT, anon=REDIRECT, post=ALL_SIGNED_IN + "-"),
    # A public screen pairs itself with the administrator's one-time code (a POST, for anyone).
    "core:device_pair": public(post=ALL_SIGNED_IN + "-"),
    "core:device_home": public(ok=REDIRECT, anon=REDIRECT),  # to the device's page, or to pair
    # --- Offices and history (sso/core).
    "core:my_office": may(STAFF, ok=REDIRECT),  # to the page of the user's office
    "core:office_list": may("nau"),
    "core:office_detail": may(STAFF),
    "core:office_edit": may("au"),
    "core:recent_changes": may(HISTORY, heavy=True),  # every audited kind's latest changes
    "core:record_history": may(HISTORY, national=True),
    # --- Reports (sso/core/reporting): an office's pages; the national page needs every office.
    "core:reports_office": may(REPORTS),
    "core:reports_national": may(REPORTS_NATIONAL),
    "core:reports_backoffice": may(REPORTS),
    "core:reports_office_export": may(REPORTS),
    "core:reports_national_export": may(REPORTS_NATIONAL),
    "core:reports_backoffice_export": may(REPORTS),
    # The kept monthly evidence reports: listed, generated (POST only), each PDF office-scoped.
    "core:evidence_list": may(REPORTS),
    "core:evidence_create": post_only(REPORTS),
    "core:evidence_pdf": may(REPORTS),
    # The rule tables (issue 16): the page and the four-eyes changes are the head-office rules
    # administrators' (none of the cast but the superuser); any signed-in caller reads the API.
    "core:rules": may(RULES),
    "core:rules_table": may(RULES),
    "core:rule_propose": may(RULES),
    "core:rule_change": may(RULES),
    "core:rule_change_confirm": post_only(RULES),
    "core:rule_change_withdraw": post_only(RULES),
    "api-rules": api(ALL_SIGNED_IN, post=""),
    "api-rules-table": api(ALL_SIGNED_IN, post=""),
    "api-reports-office": api(REPORTS, post=""),
    "api-reports-national": api(REPORTS_NATIONAL, post=""),
    "api-reports-backoffice": api(REPORTS, post=""),
    # --- Registry pages.
    "registry:search": may(REGISTRY_VIEW),
    "registry:person_list": may(REGISTRY_VIEW),
    "registry:employer_list": may(REGISTRY_VIEW),
    # Insured persons are national (issue 15): any office reads and serves anyone.
    "registry:person": may(REGISTRY_VIEW, national=True),
    "registry:person_reads": may(HISTORY),
    "registry:person_edit": may(REGISTRY_EDIT, national=True),
    "registry:hospital_change": may(REGISTRY_EDIT, national=True),
    "registry:bank_account": may(REGISTRY_EDIT, national=True),
    "registry:dependant_add": may(REGISTRY_EDIT, national=True),
    "registry:section39": may(REGISTRY_EDIT, national=True),
    "registry:section40_person": may(REGISTRY_EDIT, national=True),
    "registry:section40": may(REGISTRY_EDIT),
    "registry:person_merge": may(REGISTRY_MERGE, national=True),
    "registry:person_unmerge": may(REGISTRY_UNMERGE),
    "registry:employer_register": may(REGISTRY_EDIT),
    # Employers are read nationally (issue 15); their forms and account stay their office's.
    "registry:employer": may(REGISTRY_VIEW, national=True),
    "registry:branch_add": may(REGISTRY_EDIT),
    "registry:employer_cease": may(REGISTRY_EDIT),
    "registry:employee_register": may(REGISTRY_EDIT),
    "registry:employee_leave": may(REGISTRY_EDIT),
    "registry:upload_list": may(REGISTRY_VIEW),
    "registry:upload_new": may(REGISTRY_EDIT),
    "registry:upload_template": may(REGISTRY_EDIT),
    "registry:upload": may(REGISTRY_VIEW),
    "registry:upload_progress": may(REGISTRY_VIEW),
    "registry:upload_errors": may(REGISTRY_VIEW),
    # --- Queue pages.
    "queueing:kiosk": may(QUEUE_VIEW),
    "queueing:kiosk_ticket": may(QUEUE_VIEW),
    "queueing:counter_choose": may(QUEUE_SERVE),
    "queueing:console": may(QUEUE_SERVE),
    "queueing:console_case": post_only(QUEUE_SERVE),
    "queueing:console_action": post_only(QUEUE_SERVE),
    "queueing:board": may(QUEUE_VIEW),
    "queueing:board_events": may(QUEUE_VIEW),
    "queueing:board_notice": may(NOTICE),
    # The public screens: a device of the kind only (see DEVICE_PAGES), no staff session.
    "queueing:device_kiosk": device_page(),
    "queueing:device_kiosk_ticket": device_page(),
    "queueing:device_board": device_page(),
    "queueing:device_board_events": device_page(),
    "queueing:device_counter_display": device_page(),
    "queueing:device_counter_display_state": device_page(),
    "queueing:device_satisfaction": device_page(),
    "queueing:device_satisfaction_state": device_page(),
    "queueing:device_satisfaction_rate": device_page(),  # POST only: GET 405 to the tablet
    # The ticket on the customer's phone: anyone holding the QR's signed link, of any office.
    "queueing:ticket_public": public(national=True),
    "queueing:ticket_public_state": public(national=True),
    "queueing:ticket_public_give_up": public(ok=405, anon=405, national=True, post=ALL_SIGNED_IN + "-"),
    "queueing:ticket_public_rate": public(ok=405, anon=405, national=True, post=ALL_SIGNED_IN + "-"),
    "queueing:live": may(QUEUE_LIVE),
    "queueing:live_national": may(REPORTS_NATIONAL),  # queueing.view_queue_live and core.view_all_offices
    "queueing:report": may(QUEUE_LIVE),
    "queueing:ticket_list": may(QUEUE_LIVE),
    # The queue planner: an office's runs, one run of another office is not found.
    "queueing:planner": may(PLANNER),
    "queueing:planner_run": may(PLANNER),
    "queueing:planner_what_if": may("nau"),  # queueing.plan_counters and core.view_all_offices: head office's what-if
    "queueing:planner_plan_edit": post_only(PLANNER),  # an edited plan, simulated as a new run
    "queueing:planner_roster_pdf": may(PLANNER),
    "queueing:planner_roster_xlsx": may(PLANNER),
    # --- Contributions pages.
    "contributions:statement_detail": may(CONTRIB_VIEW),
    "contributions:receipt_detail": may(CONTRIB_VIEW),
    "contributions:counter": may(CONTRIB_FILE),
    "contributions:counter_person": may(CONTRIB_FILE),
    "contributions:statement_list": may(CONTRIB_VIEW),
    "contributions:statement_pay": post_only(CONTRIB_FILE),
    "contributions:receipt_list": may(CONTRIB_VIEW),
    "contributions:receipt_pdf": may(CONTRIB_VIEW, heavy=True),
    "contributions:receipt_void": may(CONTRIB_VOID),
    "contributions:statement_upload": may(CONTRIB_FILE),
    "contributions:statement_upload_result": may(CONTRIB_VIEW, ok=404),  # 404: no upload in this session
    # The error file is kept per user: another user's token is a 404 to everyone.
    "contributions:statement_upload_errors": may(CONTRIB_FILE, overrides=not_yours(CONTRIB_FILE)),
    "contributions:statement_sso110": may(CONTRIB_VIEW),
    "contributions:verify_queue": may(CONTRIB_VERIFY),
    "contributions:verify_statement": may(CONTRIB_VERIFY),
    "contributions:findings_accept": post_only(CONTRIB_VERIFY, deny=405, anon=405),  # require_POST outermost
    "contributions:finding_resolve": post_only(CONTRIB_VERIFY, deny=405, anon=405),
    "contributions:reimbursement_list": may(CONTRIB_VERIFY),
    "contributions:reimbursement_decide": post_only(CONTRIB_VERIFY, deny=405, anon=405),
    "contributions:reimbursement_batch_create": post_only(CONTRIB_VERIFY, deny=405, anon=405),
    "contributions:reimbursement_batch_pay": post_only(CONTRIB_VERIFY, deny=405, anon=405),
    "contributions:reimbursement_batch": may(CONTRIB_VERIFY),
    "contributions:reimbursement_batch_file": may(CONTRIB_VERIFY),
    "contributions:reimbursement_returned": may(CONTRIB_VERIFY),
    "contributions:reimbursement_returned_action": post_only(CONTRIB_VERIFY, deny=405, anon=405),
    "contributions:arrears": may(CONTRIB_ARREARS),
    "contributions:arrears_export": may(CONTRIB_ARREARS),
    # A person is served at any office (issue 15): their voluntary contributions too.
    "contributions:voluntary_pay": may(CONTRIB_FILE, national=True),
    # The employer's account (issue 15, part 2): its responsible office's work.
    "contributions:employer_account": may(CONTRIB_VIEW),
    "contributions:employer_months_pay": post_only(CONTRIB_FILE),
    "contributions:arrears_notice_issue": post_only(CONTRIB_NOTICE),
    "contributions:arrears_notice_pdf": may(CONTRIB_ARREARS, heavy=True),
    "contributions:arrears_notice_sent": post_only(CONTRIB_NOTICE),
    # --- Benefits pages.
    "benefits:claim_list": may(BENEFIT_VIEW),
    "benefits:claim": may(BENEFIT_VIEW),
    "benefits:claim_documents": post_only(BENEFIT_RECORD),
    # benefits.adjudicate_claim (and change_appeal / decide_appeal) are checked by the service,
    # after the form: an empty form is refused 400 before it, and nothing is written.
    "benefits:claim_decide": post_only(BENEFIT_VIEW, post="cvsu", post_refused=(400,)),
    "benefits:claim_slip": may(BENEFIT_VIEW),
    "benefits:claim_letter": may(BENEFIT_VIEW, heavy=True),
    "benefits:claim_appeal": post_only(BENEFIT_RECORD),
    "benefits:appeal_list": may(BENEFIT_VIEW),
    "benefits:appeal_action": post_only(BENEFIT_VIEW, post="cvsu", post_refused=(400,)),
    "benefits:claim_new": may(BENEFIT_RECORD, national=True),
    # The medical processes (issue 20, part 4).
    "benefits:medical_claim_new": may(BENEFIT_RECORD, national=True),
    "benefits:hospital_requests": may("vsau", post="vau"),  # benefits.view_ / add_hospitalrequest
    "benefits:hospital_request": may("vsau"),  # the step's own right is the service's refusal
    "benefits:hospital_batch_new": post_only("vau", deny=405, anon=405),
    "benefits:hospital_batch": may("vau"),
    "benefits:hospital_batch_file": may("vau"),
    "benefits:claim_checklist": may(BENEFIT_RECORD, national=True),
    "benefits:person_slip": may(BENEFIT_VIEW, national=True),
    "benefits:payments": may(BENEFIT_PAY_VIEW, post=BENEFIT_PAY),
    "benefits:batch": may(BENEFIT_PAY_VIEW, post=BENEFIT_PAY),
    "benefits:batch_file": may(BENEFIT_PAY_VIEW),  # a POST is read as a GET: nothing is written
    "benefits:batch_confirmation_errors": may(BENEFIT_PAY_VIEW, overrides=not_yours(BENEFIT_PAY_VIEW)),
    "benefits:payments_returned": may(BENEFIT_PAY_VIEW),
    "benefits:payments_recurring": may(BENEFIT_PAY_VIEW, post=BENEFIT_PAY),
    "benefits:payment_order": post_only(BENEFIT_PAY),
    "benefits:verify_list": may(BENEFIT_VERIFY),
    "benefits:finding_resolve": post_only(BENEFIT_VERIFY),
    # --- Queue API.
    "api-queue-issue": api(QUEUE_VIEW, ok=405),
    "api-queue-call-next": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-recall": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-start": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-no-show": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-finish": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-transfer": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-sign-in": api(QUEUE_SERVE, ok=405, other=405),
    "api-queue-sign-out": api(QUEUE_SERVE, ok=405, other=405),
    "queue-service-list": api(QUEUE_VIEW, post=""),
    "queue-service-detail": api(QUEUE_VIEW, post=""),
    "queue-counter-list": api(QUEUE_VIEW, post=""),
    "queue-counter-detail": api(QUEUE_VIEW, post=""),
    "queue-ticket-list": api(QUEUE_VIEW, post=""),
    "queue-ticket-detail": api(QUEUE_VIEW, post=""),
    "api-root": api(ALL_SIGNED_IN, post=""),
    # --- Registry API.
    "api-registry-person-lookup": api(REGISTRY_VIEW, national=True),
    "api-registry-person-duplicates": api(REGISTRY_VIEW, ok=400),  # 400: asked without a name
    "api-registry-person-hospital": api(REGISTRY_EDIT, ok=405, other=405, national=True),
    "api-registry-person-bank-account": api(REGISTRY_EDIT, ok=405, other=405, national=True),
    "api-registry-person-dependants": api(REGISTRY_EDIT, ok=405, other=405, national=True),
    "api-registry-person-section-39": api(REGISTRY_EDIT, ok=405, other=405, national=True),
    "api-registry-person-merge": api(REGISTRY_MERGE, ok=405, other=405, national=True),
    "api-registry-section-40": api(REGISTRY_EDIT, ok=405),
    "api-registry-branch-add": api(REGISTRY_EDIT, ok=405, other=405),
    "api-registry-employer-cease": api(REGISTRY_EDIT, ok=405, other=405),
    "api-registry-employee-leave": api(REGISTRY_EDIT, ok=405, other=405),
    "api-registry-uploads": api(REGISTRY_EDIT, ok=405, deny=405, overrides=(("o", "*", 403),)),  # GET: 405
    "api-registry-upload": api(REGISTRY_VIEW, post=""),
    "api-registry-upload-errors": api(REGISTRY_VIEW, post=""),
    "registry-person-list": api(REGISTRY_VIEW, post=""),
    "registry-person-detail": api(REGISTRY_VIEW, post="", national=True),
    "registry-employer-list": api(REGISTRY_VIEW, post=REGISTRY_EDIT),  # POST: form SSO 1-01
    "registry-employer-detail": api(REGISTRY_VIEW, post="", national=True),
    "registry-employment-list": api(REGISTRY_VIEW, post=REGISTRY_EDIT),  # POST: form SSO 1-03
    "registry-employment-detail": api(REGISTRY_VIEW, post=""),
    "registry-hospital-list": api(REGISTRY_VIEW, post=""),
    "registry-hospital-detail": api(REGISTRY_VIEW, post=""),  # national reference data
    "registry-bank-list": api(REGISTRY_VIEW, post=""),
    "registry-bank-detail": api(REGISTRY_VIEW, post=""),
    # --- Contributions API.
    "api-contributions-statement-file": api(CONTRIB_FILE, ok=405, deny=405, overrides=(("o", "*", 403),)),
    "api-contributions-statement-file-errors": api(CONTRIB_VIEW, post="", overrides=not_yours(CONTRIB_VIEW)),
    "api-contributions-statement-payments": api(CONTRIB_FILE, ok=405, other=405),
    "api-contributions-payments": api(CONTRIB_FILE, ok=405),
    "api-contributions-voluntary-payments": api(CONTRIB_FILE, ok=405),
    "api-contributions-person-months": api(CONTRIB_VIEW, post="", national=True),  # a person is national
    "contributions-statement-list": api(CONTRIB_VIEW, post=CONTRIB_FILE),  # POST: a statement
    "contributions-statement-detail": api(CONTRIB_VIEW, post=""),
    "contributions-receipt-list": api(CONTRIB_VIEW, post=""),
    "contributions-receipt-detail": api(CONTRIB_VIEW, post=""),
    # --- Benefits API (issue 20): the reads, then one action per address (GET: 405).
    "benefits-claim-list": api(BENEFIT_VIEW, post=BENEFIT_RECORD),  # POST: record a claim
    "benefits-claim-detail": api(BENEFIT_VIEW, post=""),
    "benefits-appeal-list": api(BENEFIT_VIEW, post=""),
    "benefits-appeal-detail": api(BENEFIT_VIEW, post=""),
    "benefits-payment-order-list": api(BENEFIT_PAY_VIEW, post=""),
    "benefits-payment-order-detail": api(BENEFIT_PAY_VIEW, post=""),
    "benefits-payment-batch-list": api(BENEFIT_PAY_VIEW, post=BENEFIT_PAY),  # POST: make a batch
    "benefits-payment-batch-detail": api(BENEFIT_PAY_VIEW, post=""),
    "api-benefits-claim-documents": api(BENEFIT_RECORD, ok=405, other=405),
    "api-benefits-claim-examine": api(BENEFIT_RECORD, ok=405, other=405),
    "api-benefits-claim-refer": api(BENEFIT_RECORD, ok=405, other=405),
    # benefits.adjudicate_claim and decide_appeal are checked by the service, as on the pages.
    "api-benefits-claim-decide": api(BENEFIT_VIEW, ok=405, other=405),
    "api-benefits-claim-withdraw": api(BENEFIT_RECORD, ok=405, other=405),
    "api-benefits-claim-appeals": api(BENEFIT_RECORD, ok=405, other=405),
    "api-benefits-appeal-decide": api(BENEFIT_VIEW, ok=405, other=405),
    "api-benefits-appeal-withdraw": api(BENEFIT_RECORD, ok=405, other=405),
    "api-benefits-order-pay": api(BENEFIT_PAY, ok=405, other=405),
    "api-benefits-order-requeue": api(BENEFIT_PAY, ok=405, other=405),
    "api-benefits-order-cancel": api(BENEFIT_PAY, ok=405, other=405),
    "api-benefits-batch-sent": api(BENEFIT_PAY, ok=405, other=405),
    "api-benefits-batch-confirmation": api(BENEFIT_PAY, ok=405, other=405),
    "api-benefits-batch-file": api(BENEFIT_PAY_VIEW, post=""),
    # --- Core API, schema and its docs.
    "api-me": api(ALL_SIGNED_IN, post=""),
    "api-token": public(ok=405, anon=405, post=ALL_SIGNED_IN + "-"),  # POST with a password: sign-in
    # POST only, with the token to revoke: a session's POST is refused (403).
    "api-token-revoke": api(ALL_SIGNED_IN, ok=405, post=""),
    "office-list": api(STAFF, post=""),
    "office-detail": api(STAFF, post=""),
    # The schema maps every operation and field of the personal data held: signed-in staff only.
    "api-schema": api(ALL_SIGNED_IN, post="", heavy=True),
    "api-docs": may(ALL_SIGNED_IN, anon=LOGIN_OR_403, post=""),
    # --- The admin site.
    "admin:index": admin(),
    "admin:login": public(ok=200, overrides=(("a", "*", REDIRECT), ("u", "*", REDIRECT)), post=ALL_SIGNED_IN + "-"),
    # POST only; a non-staff user's POST is sent to the admin's index, signed in as before.
    "admin:logout": admin(ok=405, deny=REDIRECT, anon=REDIRECT, post=ALL_SIGNED_IN + "-"),
    "admin:password_change": admin(),
    "admin:password_change_done": admin(),
    "admin:autocomplete": admin(ok=403),  # needs app_label/model_name/field_name to answer
    "admin:jsi18n": admin(),
    "admin:view_on_site": admin(ok=404),  # offices have no page of their own outside the admin
    "admin:app_list": admin(),
    "admin/(?P<url>.*)$": admin(ok=404),  # the admin's catch-all
}

# The dated rule tables (sso.core.rules), whose admin is read-only.
RULE_TABLES = (
    "contributions_contributionrate",
    "contributions_voluntaryrate",
    "contributions_section40option",
    "contributions_surchargerule",
    "contributions_collectionrule",
    "benefits_benefitparameter",
    "benefits_documentrequirement",
    "queueing_servicetarget",
    "registry_registrationrule",
)

# The admin pages of each registered model, by model: who may open the list, add, one record
# (change: read-only for those who may only view), its history, and its delete page. Models of
# one office (`admin_other_office`) are asked for a record of each office.
ADMIN_MODELS = {
    # model: (changelist, add, change, history, delete) rules
    "auth_group": (admin("u"), admin("u"), admin("u"), admin("u"), admin("u")),
    # The lockout's records are read-only: nobody adds one by hand.
    "axes_accessattempt": (admin("u"), admin(""), admin("u"), admin("u"), admin("u")),
    "axes_accesslog": (admin("u"), admin(""), admin("u"), admin("u"), admin("u")),
    "axes_accessfailurelog": (admin("u"), admin(""), admin("u"), admin("u"), admin("u")),
    "core_province": (admin(), admin("u"), admin(), admin(), admin("u")),
    "core_office": (admin(), admin(), admin(), admin(), admin("u")),
    # An office administrator manages their own office's staff accounts (another office's: 404).
    "core_user": (admin(), admin(), admin_other_office(), admin_other_office(), admin_other_office("u")),
    # API tokens: listed to those who manage staff, read-only; revoked by an action, never deleted.
    "core_apitokeninfo": (
        admin(),
        admin(""),
        admin_other_office(),
        admin_other_office(),
        admin(""),
    ),
    # An office's public screens: its administrator registers and revokes its own office's
    # (another office's is not found); deleting is the superuser's (revoked devices stay).
    "core_device": (admin(), admin(), admin_other_office(), admin_other_office(), admin_other_office("u")),
    # The dated rule tables (sso.core.rules): read-only here, to the superuser too (issue 16:
    # changed only on the rules page, with four eyes); a POST to a row or a version is refused.
    **{model: (admin(), admin(""), admin(post=""), admin(), admin("")) for model in RULE_TABLES},
    # Hospitals: administrators add and change; deleting is the superuser's. Banks:
    # administrators read them; the superuser keeps them.
    "registry_hospital": (admin(), admin(), admin(), admin(), admin("u")),
    "registry_bank": (admin(), admin("u"), admin(), admin(), admin("u")),
    # An office's own working set-up: another office's row is not found (the admin's redirect).
    "queueing_service": (admin(), admin(), admin_other_office(), admin_other_office(), admin_other_office("u")),
    "queueing_counter": (admin(), admin(), admin_other_office(), admin_other_office(), admin_other_office("u")),
    "queueing_officeclosure": (admin(), admin(), admin_other_office(), admin_other_office(), admin_other_office("u")),
}
# Models whose admin shows their audit history (SimpleHistoryAdmin): one version has a page too.
AUDITED_ADMIN_MODELS = {
    "core_office",
    "core_device",
    "core_user",
    "queueing_servicetarget",
    "queueing_service",
    "queueing_counter",
    "queueing_officeclosure",
    "contributions_contributionrate",
    "contributions_voluntaryrate",
    "contributions_section40option",
    "contributions_surchargerule",
    "contributions_collectionrule",
}
AUDITED_ADMIN_MODELS |= {"benefits_benefitparameter", "benefits_documentrequirement"}
AUDITED_ADMIN_MODELS |= {"registry_registrationrule", "registry_hospital"}
for _model, (_list, _add, _change, _history, _delete) in ADMIN_MODELS.items():
    EXPECTED[f"admin:{_model}_changelist"] = _list
    EXPECTED[f"admin:{_model}_add"] = _add
    EXPECTED[f"admin:{_model}_change"] = _change
    EXPECTED[f"admin:{_model}_history"] = _history
    if _model in AUDITED_ADMIN_MODELS:
        EXPECTED[f"admin:{_model}_simple_history"] = _history  # one historical version
    if _model in RULE_TABLES:
        EXPECTED[f"admin:{_model}_simple_history"] = admin(post="")  # shown, never reverted
    EXPECTED[f"admin:{_model}_delete"] = _delete
    # admin/<app>/<model>/<id>/ redirects any staff user to the change page (unnamed pattern),
    # which answers for itself.
    EXPECTED[f"admin:{_model}_redirect"] = admin(ok=REDIRECT, overrides=(("a", "*", REDIRECT),))
# An office administrator sets the password of their own office's users only, and does not
# open an account's older versions (reverting one would give back what it held then).
EXPECTED["admin:auth_user_password_change"] = admin_other_office()
EXPECTED["admin:core_user_simple_history"] = admin("u")


# --- The records that fill the URLs' parameters ------------------------------------------------


@dataclasses.dataclass
class OfficeRecords:
    """One office's records of every kind a URL names."""

    office: object
    officer: object  # a counter officer of this office
    employer: object
    employment: object
    person: object
    upload: object
    counter: object
    service: object
    ticket: object
    statement: object
    receipt: object
    finding: object
    reimbursement: object
    reimbursement_batch: object
    claim: object
    appeal: object
    payment_batch: object
    payment_order: object
    claim_finding: object
    merge: object  # a merge of two other persons of this office
    token_info: object  # the API token of this office's officer
    kiosk: object  # a paired kiosk device of this office, and its credential's cookie value
    kiosk_cookie: str
    board: object  # a paired board device
    board_cookie: str
    counter_display: object  # a paired counter display
    counter_display_cookie: str
    satisfaction: object  # a paired satisfaction tablet
    satisfaction_cookie: str
    planner_run: object  # a run of the queue planner for this office
    office_closure: object  # a day this office is closed
    hospital_request: object = None  # a hospital's high-cost request (issue 20)
    hospital_batch: object = None  # a batch paying hospitals


def _office_records(office, officer, n):
    from rest_framework.authtoken.models import Token

    from benefits.models import Appeal, Benefit, Claim, ClaimFinding, PaymentBatch, PaymentOrder
    from contributions import services as contribution_services
    from contributions.models import Finding, Payment, Reimbursement, ReimbursementBatch
    from contributions.services import LineInput
    from queueing import services as queue_services
    from queueing.models import Counter, OfficeClosure, PlannerRun, Service, Ticket
    from registry.merging import person_merge
    from registry.models import Bank, BulkUpload, PersonMerge
    from tests.factories import counter_dated_back, employee_make, employer_make, queue_office

    queue_office(office, counters=2)
    counter = Counter.objects.filter(office=office).order_by("number").first()
    service = Service.objects.filter(office=office).order_by("sort_order").first()
    ticket = queue_services.ticket_issue(service=service, customer_kind=Ticket.CustomerKind.values[0])

    employer = employer_make(office, officer, n=n)
    employment = employee_make(employer, n, officer, started_on=datetime.date(2024, 1, 1))
    person = employment.person
    upload = BulkUpload.objects.create(office=office, uploaded_by=officer, file_name="staff.csv", content=b"")

    period = datetime.date(2025, 10, 1)
    statement = contribution_services.statement_submit(
        officer=officer,
        employer=employer,
        branch=employer.branches.get(number="000000"),
        period=period,
        lines=[LineInput(line=2, national_id=person.national_id, wage=Decimal("10000"))],
        verify=False,
    )
    paid_on = datetime.date(2025, 11, 10)
    due = contribution_services.statement_amount_due(statement, paid_on)
    payment = contribution_services.statement_pay(
        officer=officer,
        statement=statement,
        amount=due.total,
        method=Payment.Method.CASH,
        paid_on=paid_on,
        **counter_dated_back(statement, paid_on),
    )
    receipt = payment.receipt
    finding = Finding.objects.create(statement=statement, kind=Finding.Kind.WAGE_OUTLIER, person=person)
    reimbursement = Reimbursement.objects.create(
        office=office, kind=Reimbursement.Kind.DUPLICATE_PAYMENT, payment=payment, period=period, amount=Decimal("1")
    )
    reimbursement_batch = ReimbursementBatch.objects.create(
        office=office, created_by=officer, total=Decimal("0"), bank=Bank.objects.get(code="002"), pay_on=period
    )

    event = datetime.date(2026, 1, 5)
    claim = Claim.objects.create(
        office=office,
        person=person,
        benefit=Benefit.SICKNESS,
        event_date=event,
        event_key=f"{event}:{Benefit.SICKNESS}",
        recorded_by=officer,
        eligible=True,
        amount=Decimal("1500.00"),
        status=Claim.Status.REJECTED,
        adjudicated_by=officer,
    )
    appeal = Appeal.objects.create(
        claim=claim,
        decision=Claim.Status.REJECTED,
        received_decision_on=event,
        grounds="The doctor's certificate was brought later.",
        lodged_by=officer,
    )
    payment_batch = PaymentBatch.objects.create(
        office=office, bank=Bank.objects.get(code="002"), pay_on=datetime.date(2026, 2, 25), created_by=officer
    )
    payment_order = PaymentOrder.objects.create(claim=claim, period=event.replace(day=1), amount=Decimal("800"))
    claim_finding = ClaimFinding.objects.create(claim=claim, kind=ClaimFinding.Kind.BANK_ACCOUNT)
    hospital_records = _hospital_records(office, officer, n)
    # The same man registered twice, by two employers: one record merged into the other.
    twins = [
        employee_make(at, n * 10 + k, officer, first_name_th="สมศักดิ์", first_name_en="Somsak").person
        for k, at in enumerate((employer, employer_make(office, officer, n=n * 10)))
    ]
    person_merge(officer=officer, keep=twins[0], drop=twins[1])
    merge = PersonMerge.objects.get(kept=twins[0])
    return OfficeRecords(
        office=office,
        officer=officer,
        employer=employer,
        employment=employment,
        person=person,
        upload=upload,
        counter=counter,
        service=service,
        ticket=ticket,
        statement=statement,
        receipt=receipt,
        finding=finding,
        reimbursement=reimbursement,
        reimbursement_batch=reimbursement_batch,
        claim=claim,
        appeal=appeal,
        payment_batch=payment_batch,
        payment_order=payment_order,
        claim_finding=claim_finding,
        merge=merge,
        token_info=Token.objects.create(user=officer).info,
        planner_run=PlannerRun.objects.create(
            office=office,
            day=datetime.date(2026, 12, 15),
            requested_by=officer,
            requested_at=datetime.datetime.now(datetime.UTC),
            status=PlannerRun.Status.DONE,
            # A plan of one counter open all day, so its roster downloads answer.
            result={"plan": {"shifts": [{"number": 1, "services": [], "opens": 30600, "closes": 59400}]}},
        ),
        office_closure=OfficeClosure.objects.create(office=office, day=datetime.date(2026, 12, 24), reason="Moving"),
        **_devices_paired(office, officer),
        **hospital_records,
    )


def _hospital_records(office, officer, n):
    """A hospital's high-cost request and a batch paying hospitals (issue 20, part 4)."""
    from benefits.models import HospitalBatch, HospitalRequest
    from registry.models import Bank
    from tests.factories import HospitalFactory

    bank = Bank.objects.get(code="002")
    batch = HospitalBatch.objects.create(
        office=office, bank=bank, pay_on=datetime.date(2026, 2, 25), created_by=officer
    )
    request = HospitalRequest.objects.create(
        office=office,
        hospital=HospitalFactory(code=f"HM{n:04d}"),
        reference=f"R{n}",
        period=datetime.date(2026, 1, 1),
        bank=bank,
        account_number="1234567890",
        account_name="โรงพยาบาลทดสอบ",
        recorded_by=officer,
    )
    return {"hospital_request": request, "hospital_batch": batch}


def _devices_paired(office, officer):
    """A kiosk and a board of the office, registered and paired through the services; the
    cookie value each screen was given (the signed token)."""
    from django.core import signing

    from sso.core import devices
    from sso.core.models import Device
    from sso.core.services import device_pair, device_register

    found = {}
    for kind in Device.Kind.values:
        device, code = device_register(device=Device(office=office, kind=kind, name=f"{kind} 1"), officer=officer)
        device, token = device_pair(code=code)
        cookie = signing.get_cookie_signer(salt=devices.COOKIE + devices.COOKIE_SALT).sign(token)
        found |= {kind: device, f"{kind}_cookie": cookie}
    return found


def _required_extra(model, given):
    """Plain values for the required fields of `model` not in `given` (a record good enough to
    be opened, for models without a factory)."""
    from django.db.models import NOT_PROVIDED

    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in given or field.null or field.blank or field.default is not NOT_PROVIDED:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        kind = field.get_internal_type()
        if field.choices:
            values[field.name] = field.choices[0][0]
        elif kind in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"):
            values[field.name] = 1
        elif kind == "DecimalField":
            values[field.name] = Decimal("1")
        elif kind == "DateField":
            values[field.name] = datetime.date(2026, 1, 1)
        else:
            values[field.name] = "x"
    return values


@dataclasses.dataclass
class World:
    """The signed-in users of every role and the records of two offices."""

    users: dict  # role letter -> user
    clients: dict  # role letter (ANON too) -> a test client signed in as that user
    own: OfficeRecords  # office 1001, the users' office
    other: OfficeRecords  # office 5000
    national: dict  # records without an office: {"group": ..., "token": ..., ...}

    def records(self, office):
        return self.own if office == OWN else self.other


def _world_build() -> "World":
    """The cast of tests/conftest.py (one user per role in office 1001), a superuser, an
    officer of office 5000, and the records of both offices."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from queueing.models import ServiceTarget
    from registry.models import RegistrationRule
    from sso.core.models import Province
    from sso.core.roles import roles_sync
    from tests.factories import BankFactory, HospitalFactory, OfficeFactory, StaffFactory

    roles_sync()
    home = OfficeFactory(code=OWN, name_en="Bangkok Area Office 1", name_th="สปส. กรุงเทพฯ พื้นที่ 1")
    other = OfficeFactory(
        code=OTHER, name_en="Chiang Mai Provincial Office", name_th="สปส. จังหวัดเชียงใหม่", province_code="50"
    )
    users = {
        "c": StaffFactory(username="counter", office=home, roles=["counter_officer"]),
        "v": StaffFactory(username="verifier", office=home, roles=["backoffice_verifier"]),
        "s": StaffFactory(username="supervisor", office=home, roles=["supervisor"]),
        "n": StaffFactory(username="national", office=home, roles=["national_supervisor"]),
        "a": StaffFactory(username="admin", office=home, roles=["administrator"], is_staff=True),
        "o": StaffFactory(username="outsider", office=None, roles=[]),
        "u": StaffFactory(username="root", office=home, is_staff=True, is_superuser=True),
    }
    other_officer = StaffFactory(username="other_counter", office=other, roles=["counter_officer"])
    attempt = {"username": "someone", "ip_address": "192.0.2.1", "user_agent": "test", "http_accept": "*/*"}
    attempt |= {"path_info": "/accounts/login/"}
    national = {
        "group": Group.objects.get(name="counter_officer"),
        "access_attempt": AccessAttempt.objects.create(**attempt, failures_since_start=1),
        "access_log": AccessLog.objects.create(**attempt),
        "access_failure_log": AccessFailureLog.objects.create(**attempt),
        "province": Province.objects.get(code="10"),
        "hospital": HospitalFactory(),
        "bank": BankFactory(),
        "registration_rule": RegistrationRule.objects.create(valid_from=datetime.date(1990, 1, 1)),
        **_benefit_rule_rows(),
        **_rule_rows(),
        "service_target": ServiceTarget.objects.create(
            kind="registration", minutes=15, valid_from=datetime.date(2026, 1, 1)
        ),
        "rule_change": _rule_change(users["u"]),
    }
    # A server error is an answer like another here: it is reported, not raised.
    clients = {ANON: Client(raise_request_exception=False)}
    for letter, user in users.items():
        clients[letter] = Client(raise_request_exception=False)
        clients[letter].force_login(user, backend="sso.core.auth.CachedPermissionsBackend")
    return World(
        users=users,
        clients=clients,
        own=_office_records(home, users["c"], 901),
        other=_office_records(other, other_officer, 902),
        national=national,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back after its last test (each test
    runs in a savepoint of it, as pytest-django's `db` makes one)."""
    # Sessions in signed cookies: who may open what does not depend on where a session is
    # kept, and thousands of requests each reading and saving a session row would double the time.
    quick = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    )
    with django_db_blocker.unblock(), quick, transaction.atomic():
        yield _world_build()
        transaction.set_rollback(True)


def _rule_rows() -> dict:
    """One row of each contribution rule table (seeded by migration, so without history): saved
    once unchanged, which gives it the history row its admin history pages need."""
    from contributions.models import CollectionRule, ContributionRate, Section40Option, SurchargeRule, VoluntaryRate

    rows = {}
    for model in (ContributionRate, VoluntaryRate, Section40Option, SurchargeRule, CollectionRule):
        row = model.objects.order_by("pk").first()
        row.save()
        rows[f"contributions_{model._meta.model_name}"] = row
    return rows


def _rule_change(officer):
    """A change of a rule table proposed (not confirmed): its page and its confirmation."""
    from django.utils import timezone

    from sso.core.models import RuleChange

    return RuleChange.objects.create(
        table="contributions.contributionrate",
        values={
            "province": None,
            "employee_rate": "5.00",
            "employer_rate": "5.00",
            "government_rate": "2.75",
            "wage_floor": "1650.00",
            "wage_ceiling": "17500.00",
        },
        valid_from=datetime.date(2099, 1, 1),
        reason="A test",
        legal_reference="None",
        proposed_by=officer,
        proposed_at=timezone.now(),
    )


def _benefit_rule_rows() -> dict:
    """One row of each benefit rule table (seeded by migration), saved once unchanged for the
    history row its admin history pages need."""
    from benefits.models import BenefitParameter, DocumentRequirement

    rows = {}
    for model in (BenefitParameter, DocumentRequirement):
        row = model.objects.order_by("pk").first()
        row.save()
        rows[f"benefits_{model._meta.model_name}"] = row
    return rows


def _history_id(record):
    return record.history.order_by("-history_id").first().history_id


def _upload_errors_token(w, user, office):
    """An error file of a refused statement upload, kept for `user` (own) or for the other
    office's officer (other): the token names one user's file."""
    from contributions.services import LineError, StatementRefused
    from contributions.views.upload import errors_keep

    owner = user if office == OWN and user is not None else w.other.officer
    refused = StatementRefused([LineError(line=2, field="wage", message="Wage missing.")])
    return {"token": errors_keep(owner, "statement.txt", refused)}


def _confirmation_errors_token(w, user, office):
    """The error file of a refused bank confirmation file of the office's payment batch, kept
    for `user` (own) or for the other office's officer (other)."""
    from benefits.views.payments import _confirmation_errors_keep

    owner = user if office == OWN and user is not None else w.other.officer
    batch = w.records(office).payment_batch
    return {"pk": batch.pk, "token": _confirmation_errors_keep(owner, batch, [(2, "Unknown account.")])}


def _admin_object(model_key):
    """The admin pages of one model take the id of a record: which record, by office."""

    def kwargs(w, user, office):
        r = w.records(office)
        obj = {
            "auth_group": w.national["group"],
            "core_apitokeninfo": r.token_info,
            "axes_accessattempt": w.national["access_attempt"],
            "axes_accesslog": w.national["access_log"],
            "axes_accessfailurelog": w.national["access_failure_log"],
            "core_province": w.national["province"],
            "core_office": r.office,
            "core_user": r.officer,
            "queueing_servicetarget": w.national["service_target"],
            "registry_registrationrule": w.national["registration_rule"],
            "registry_hospital": w.national["hospital"],
            "registry_bank": w.national["bank"],
            "benefits_benefitparameter": w.national["benefits_benefitparameter"],
            "benefits_documentrequirement": w.national["benefits_documentrequirement"],
            "contributions_contributionrate": w.national["contributions_contributionrate"],
            "contributions_voluntaryrate": w.national["contributions_voluntaryrate"],
            "contributions_section40option": w.national["contributions_section40option"],
            "contributions_surchargerule": w.national["contributions_surchargerule"],
            "contributions_collectionrule": w.national["contributions_collectionrule"],
            "queueing_service": r.service,
            "queueing_counter": r.counter,
            "queueing_officeclosure": r.office_closure,
            "core_device": r.kiosk,
        }[model_key]
        return {"object_id": obj.pk}

    return kwargs


def _admin_history_version(model_key):
    def args(w, user, office):
        obj_id = _admin_object(model_key)(w, user, office)["object_id"]
        obj = {
            "core_office": lambda: w.records(office).office,
            "core_user": lambda: w.records(office).officer,
            "queueing_servicetarget": lambda: w.national["service_target"],
            "registry_registrationrule": lambda: w.national["registration_rule"],
            "registry_hospital": lambda: w.national["hospital"],
            "benefits_benefitparameter": lambda: w.national["benefits_benefitparameter"],
            "benefits_documentrequirement": lambda: w.national["benefits_documentrequirement"],
            "contributions_contributionrate": lambda: w.national["contributions_contributionrate"],
            "contributions_voluntaryrate": lambda: w.national["contributions_voluntaryrate"],
            "contributions_section40option": lambda: w.national["contributions_section40option"],
            "contributions_surchargerule": lambda: w.national["contributions_surchargerule"],
            "contributions_collectionrule": lambda: w.national["contributions_collectionrule"],
            "queueing_service": lambda: w.records(office).service,
            "queueing_counter": lambda: w.records(office).counter,
            "queueing_officeclosure": lambda: w.records(office).office_closure,
            "core_device": lambda: w.records(office).kiosk,
        }[model_key]()
        return {"_args": (obj_id, _history_id(obj))}

    return args


def _ticket_token(ticket):
    from queueing.devices import ticket_token

    return ticket_token(ticket)


def _by(attr, param="pk", field="pk"):
    """The parameter `param` is the `field` of the office's record `attr`."""
    return lambda w, user, office: {param: getattr(getattr(w.records(office), attr), field)}


def _arrears_notice(w, office):
    """An arrears notice of the office's employer (the letter's content does not matter here)."""
    from contributions.models import ArrearsNotice

    records = w.records(office)
    notice = ArrearsNotice.objects.filter(employer=records.employer).first()
    return notice or ArrearsNotice.objects.create(
        office=records.office,
        employer=records.employer,
        as_of=datetime.date(2026, 1, 5),
        period_first=datetime.date(2025, 11, 1),
        period_last=datetime.date(2025, 12, 1),
        months=[],
        contributions=Decimal("100.00"),
        surcharge=Decimal("2.00"),
        issued_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC),
        issued_by=records.officer,
    )


def _evidence_report(w, office):
    """A kept evidence report of the office (its PDF's bytes do not matter here)."""
    from sso.core.models import EvidenceReport

    report, _made = EvidenceReport.objects.get_or_create(
        office=w.records(office).office,
        month=datetime.date(2026, 1, 1),
        version=1,
        defaults={
            "generated_at": datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
            "pdf": b"%PDF-",
            "sha256": "0" * 64,
        },
    )
    return report.pk


# For each URL that takes parameters: the parameters naming a record of the given office
# (`office` is OWN or OTHER; `user` the signed-in user, None when anonymous). Parameters that
# do not name an office's record are the same for both offices, and then only one is asked.
# "format" (DRF's format suffixes) is filled in by the test.
KWARGS = {
    "core:office_detail": _by("office", "code", "code"),
    "core:office_edit": _by("office", "code", "code"),
    "core:record_history": lambda w, u, o: {"label": "registry.insuredperson", "pk": w.records(o).person.pk},
    "core:rules_table": lambda w, u, o: {"key": "contributions.contributionrate"},
    "core:rule_propose": lambda w, u, o: {"key": "contributions.contributionrate"},
    "api-rules-table": lambda w, u, o: {"table": "contributions.contributionrate"},
    **{
        name: lambda w, u, o: {"pk": w.national["rule_change"].pk}
        for name in ("core:rule_change", "core:rule_change_confirm", "core:rule_change_withdraw")
    },
    "registry:person": _by("person"),
    "registry:person_edit": _by("person"),
    "registry:hospital_change": _by("person"),
    "registry:bank_account": _by("person"),
    "registry:dependant_add": _by("person"),
    "registry:section39": _by("person"),
    "registry:section40_person": _by("person"),
    "registry:person_merge": _by("person"),
    "registry:person_unmerge": _by("merge"),
    "registry:employer": _by("employer"),
    "registry:branch_add": _by("employer"),
    "registry:employer_cease": _by("employer"),
    "registry:employee_register": _by("employer"),
    "registry:employee_leave": _by("employment"),
    "registry:upload": _by("upload"),
    "registry:upload_progress": _by("upload"),
    "registry:upload_errors": _by("upload"),
    "queueing:kiosk_ticket": _by("ticket"),
    "queueing:planner_run": _by("planner_run"),
    "queueing:planner_plan_edit": _by("planner_run"),
    "queueing:planner_roster_pdf": _by("planner_run"),
    "queueing:planner_roster_xlsx": _by("planner_run"),
    "queueing:device_kiosk_ticket": lambda w, u, o: {"token": _ticket_token(w.records(o).ticket)},
    "queueing:ticket_public": lambda w, u, o: {"token": _ticket_token(w.records(o).ticket)},
    "queueing:ticket_public_state": lambda w, u, o: {"token": _ticket_token(w.records(o).ticket)},
    "queueing:ticket_public_give_up": lambda w, u, o: {"token": _ticket_token(w.records(o).ticket)},
    "queueing:ticket_public_rate": lambda w, u, o: {"token": _ticket_token(w.records(o).ticket)},
    "queueing:console": _by("counter"),
    "queueing:console_case": _by("counter"),
    "queueing:console_action": lambda w, u, o: {"pk": w.records(o).counter.pk, "action": "call-next"},
    "contributions:statement_detail": _by("statement"),
    "contributions:receipt_detail": _by("receipt"),
    "contributions:statement_pay": _by("statement"),
    "contributions:receipt_pdf": _by("receipt"),
    "contributions:receipt_void": _by("receipt"),
    "contributions:statement_upload_errors": _upload_errors_token,
    "contributions:statement_sso110": _by("statement"),
    "contributions:verify_statement": _by("statement"),
    "contributions:findings_accept": _by("statement"),
    "contributions:finding_resolve": _by("finding"),
    "contributions:reimbursement_decide": _by("reimbursement"),
    "contributions:reimbursement_batch_pay": _by("reimbursement_batch"),
    "contributions:reimbursement_batch": _by("reimbursement_batch"),
    "contributions:reimbursement_batch_file": _by("reimbursement_batch"),
    "contributions:reimbursement_returned_action": _by("reimbursement"),
    "contributions:arrears_export": lambda w, u, o: {"fmt": "csv"},
    **{
        f"core:reports_{page}_export": lambda w, u, o: {"section": "matrix", "table": "rows", "fmt": "xlsx"}
        for page in ("office", "national", "backoffice")
    },
    "core:evidence_pdf": lambda w, u, o: {"pk": _evidence_report(w, o)},
    "contributions:voluntary_pay": _by("person"),
    "contributions:employer_account": _by("employer"),
    "contributions:employer_months_pay": _by("employer"),
    "contributions:arrears_notice_issue": _by("employer"),
    "contributions:arrears_notice_pdf": lambda w, u, o: {"pk": _arrears_notice(w, o).pk},
    "contributions:arrears_notice_sent": lambda w, u, o: {"pk": _arrears_notice(w, o).pk},
    "benefits:claim": _by("claim"),
    "benefits:claim_documents": _by("claim"),
    "benefits:claim_decide": _by("claim"),
    "benefits:claim_slip": _by("claim"),
    "benefits:claim_letter": _by("claim"),
    "benefits:claim_appeal": _by("claim"),
    "benefits:appeal_action": _by("appeal"),
    "benefits:claim_new": _by("person"),
    "benefits:medical_claim_new": _by("person"),
    "benefits:hospital_request": _by("hospital_request"),
    "benefits:hospital_batch": _by("hospital_batch"),
    "benefits:hospital_batch_file": _by("hospital_batch"),
    "benefits:claim_checklist": _by("person"),
    "benefits:person_slip": _by("person"),
    "benefits:batch": _by("payment_batch"),
    "benefits:batch_file": _by("payment_batch"),
    "benefits:batch_confirmation_errors": _confirmation_errors_token,
    "benefits:payment_order": _by("payment_order"),
    "benefits:finding_resolve": _by("claim_finding"),
    "benefits-claim-detail": _by("claim"),
    "benefits-appeal-detail": _by("appeal"),
    "benefits-payment-order-detail": _by("payment_order"),
    "benefits-payment-batch-detail": _by("payment_batch"),
    **{f"api-benefits-claim-{action}": _by("claim") for action in ("documents", "examine", "refer", "decide")},
    **{f"api-benefits-claim-{action}": _by("claim") for action in ("withdraw", "appeals")},
    **{f"api-benefits-appeal-{action}": _by("appeal") for action in ("decide", "withdraw")},
    **{f"api-benefits-order-{action}": _by("payment_order") for action in ("pay", "requeue", "cancel")},
    **{f"api-benefits-batch-{action}": _by("payment_batch") for action in ("sent", "confirmation", "file")},
    **{
        f"api-queue-{action}": _by("counter")
        for action in ("call-next", "recall", "start", "no-show", "finish", "transfer", "sign-in", "sign-out")
    },
    "queue-service-detail": _by("service"),
    "queue-counter-detail": _by("counter"),
    "queue-ticket-detail": _by("ticket"),
    "api-registry-person-lookup": _by("person", "national_id", "national_id"),
    "api-registry-person-hospital": _by("person"),
    "api-registry-person-bank-account": _by("person"),
    "api-registry-person-dependants": _by("person"),
    "api-registry-person-section-39": _by("person"),
    "api-registry-person-merge": _by("person"),
    "api-registry-branch-add": _by("employer", "account_number", "account_number"),
    "api-registry-employer-cease": _by("employer", "account_number", "account_number"),
    "api-registry-employee-leave": _by("employment"),
    "api-registry-upload": _by("upload"),
    "api-registry-upload-errors": _by("upload"),
    "registry-person-detail": _by("person"),
    "registry-employer-detail": _by("employer", "account_number", "account_number"),
    "registry-employment-detail": _by("employment"),
    "registry-hospital-detail": lambda w, u, o: {"code": w.national["hospital"].code},  # national
    "registry-bank-detail": lambda w, u, o: {"code": "002"},
    "api-contributions-statement-payments": _by("statement"),
    "api-contributions-statement-file-errors": _upload_errors_token,
    "api-contributions-person-months": _by("person", "national_id", "national_id"),
    "contributions-statement-detail": _by("statement"),
    "contributions-receipt-detail": _by("receipt"),
    "office-detail": _by("office", "code", "code"),
    "admin:view_on_site": lambda w, u, o: {
        "content_type_id": ContentType.objects.get_for_model(w.records(o).office).pk,
        "object_id": w.records(o).office.pk,
    },
    "admin:app_list": lambda w, u, o: {"app_label": "core"},
    "admin/(?P<url>.*)$": lambda w, u, o: {"url": "nothing/here/"},
    "admin:auth_user_password_change": lambda w, u, o: {"id": w.records(o).officer.pk},
}
for _model in ADMIN_MODELS:
    for _page in ("change", "history", "delete", "redirect"):
        KWARGS[f"admin:{_model}_{_page}"] = _admin_object(_model)
    if _model in AUDITED_ADMIN_MODELS:
        KWARGS[f"admin:{_model}_simple_history"] = _admin_history_version(_model)


# --- The URL conf, walked ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Url:
    key: str  # the URL's name (namespaced), or for an unnamed admin pattern a stand-in
    route: str  # the whole pattern, prefixes included
    params: tuple  # named parameters, then "_args" when the pattern has unnamed groups


_ROUTE_PARAM = re.compile(r"(?<!\?P)<(?:(\w+):)?(\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
_GROUP = re.compile(r"\((?!\?)(?:[^()]|\([^()]*\))*\)")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                # admin/<app>/<model>/<path:object_id>/ redirects to the change page; the
                # admin's catch-all is known by its pattern.
                found = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
                key = f"admin:{found[1]}_{found[2]}_redirect" if found else route
            names = [name for _conv, name in _ROUTE_PARAM.findall(route)]
            names += [match[1] for match in _NAMED_GROUP.finditer(route)]
            if _GROUP.search(_NAMED_GROUP.sub("", _ROUTE_PARAM.sub("", route))):
                names.append("_args")
            yield Url(key=key, route=route, params=tuple(names))


def urls():
    return list(_walk(get_resolver().url_patterns))


def _path(url: Url, values: dict) -> str:
    """The path of `url` with its parameters filled in."""

    def route_param(match):
        return ".json" if match[1] == "drf_format_suffix" else str(values[match[2]])

    path = _ROUTE_PARAM.sub(route_param, url.route)
    path = _NAMED_GROUP.sub(lambda match: str(values[match[1]]), path)
    positional = iter(values.get("_args", ()))
    path = _GROUP.sub(lambda match: str(next(positional)), path)
    path = path.replace("^", "").replace("$", "").replace("/?", "").replace("\\.", ".")
    return "/" + path


def _values(url: Url, w: World, user, office):
    values = KWARGS[url.key](w, user, office) if url.key in KWARGS else {}
    if "format" in url.params:
        values = {**values, "format": "json"}
    return values


# --- Asking ------------------------------------------------------------------------------------


def _matches(expected, response) -> bool:
    code, where = response.status_code, response.get("Location", "")
    to_login = code == 302 and where.startswith(reverse("login"))
    to_admin_login = code == 302 and where.startswith(reverse("admin:login"))
    if expected == LOGIN:
        return to_login
    if expected == ADMIN_LOGIN:
        return to_admin_login
    if expected == API_ANON:
        return code in (401, 403)
    if expected == REDIRECT:
        return 300 <= code < 400 and not (to_login or to_admin_login)
    if expected == OK_OR_503:
        return code in (200, 503)
    if expected == LOGIN_OR_403:
        return to_login or code == 403
    if expected == ADMIN_DENIED:
        return code in (403, 404) or (code == 302 and where == reverse("admin:index"))
    if expected == REFUSED:
        return _matches(ADMIN_DENIED, response) or code in (401, 405) or to_login or to_admin_login
    return code == expected


def _got(response) -> str:
    where = response.get("Location")
    return f"{response.status_code} -> {where}" if where else str(response.status_code)


# Tables that a refused request may write: the session (its expiry is extended on every
# request) and the lockout's own records.
_WRITES_ALLOWED = re.compile(r"^(django_session|axes_.*)$")


def _writes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {table: count for table, count in cursor.fetchall() if not _WRITES_ALLOWED.match(table)}


def _names_a_record(w, url) -> bool:
    """Whether `url`'s parameters name a record of one office (else it is asked once)."""
    own, other = _values(url, w, None, OWN), _values(url, w, None, OTHER)
    return "token" in own or own != other


def _offices(rule, role, names_a_record):
    """The offices whose record `role` is asked about: both where the table expects different
    answers for the two (an office-bound role opens its own office's record, not another's),
    one where it expects the same: another office's record for a role that may open it (it
    sees every office), its own office's for a refusal (the sign-in or the permission refuses
    it, whoever's record it is: the anonymous visitor and the outsider have no office)."""
    if not names_a_record:
        return (OWN,)
    own, other = rule.expected(role, OWN), rule.expected(role, OTHER)
    if own != other:
        return (OWN, OTHER)
    return (OTHER,) if role in rule.who and role in SEES_ALL_OFFICES and own == rule.ok else (OWN,)


def _rule(url):
    """The row of `url`; a format-suffix route (`.json`) may have a row of its own."""
    if "format" in url.params and f"{url.key}.json" in EXPECTED:
        return EXPECTED[f"{url.key}.json"]
    return EXPECTED[url.key]


# The POSTs that stand for every role a page refuses for want of a permission are asked by an
# office-bound role first: the outsider, who has no office, would be refused by any lookup.
POST_ORDER = (ANON, "c", "v", "s", "n", "a", "u", "o")


def _cells(w, urls_asked, *, hole="", roles=(ANON, *ROLES)):
    """Every (URL, rule, office, role, path) to ask; with `hole`, only the cells of that known hole."""
    for url in urls_asked:
        rule = _rule(url)
        names_a_record = _names_a_record(w, url)
        for role in roles:
            for office in _offices(rule, role, names_a_record):
                if rule.hole(role, office) == hole:
                    yield url, rule, office, role, _path(url, _values(url, w, w.users.get(role), office))


@pytest.fixture(autouse=True)
def _report_section(monkeypatch):
    """A section on every report page with one table (`matrix`/`rows`), beside the apps' own,
    for the downloads' rows: who may download is the question, not what the apps measure."""
    from sso.core import reports

    def build(period):
        return reports.Content(tables=[reports.Table("rows", "Rows", [reports.Column("n", "n", "int")], [{"n": 1}])])

    real = reports._all_sections()
    matrix = tuple(
        reports.ReportSection(slot, "matrix", "Matrix", build, "core.view_reports") for slot in reports.SLOTS
    )
    monkeypatch.setattr(reports, "_all_sections", lambda: real + matrix)


@pytest.fixture
def quick_streams(monkeypatch):
    """Who may open /healthz and the board's event stream is the question here, not what
    they answer: /healthz does not wait 2 s for a Celery worker's ping, and the stream
    ends at once without closing the test's database connection, as a board's does."""
    import queueing.views
    import sso.core.views

    def no_worker():
        raise RuntimeError("no worker in this test")

    class _KeptConnection:
        def close(self):
            pass

    monkeypatch.setattr(sso.core.views, "_check_worker", no_worker)
    # Thousands of requests: their records (403s and 404s with tracebacks, a PDF's missing
    # glyphs one by one) would cost more than the requests. Errors still show.
    for name in ("", "django.request", "weasyprint"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.ERROR)
    monkeypatch.setattr(queueing.views, "BOARD_STREAM_SECONDS", 0)
    monkeypatch.setattr(queueing.views, "db_connection", _KeptConnection())


def _get_mismatches(w, *, hole=""):
    clients = w.clients
    mismatches, asked, rendered = [], 0, set()
    for url, rule, office, role, path in _cells(w, urls(), hole=hole):
        expected = rule.expected(role, office)
        if rule.heavy and expected == rule.ok:
            if url.key in rendered:
                continue
            rendered.add(url.key)
        response = clients[role].get(path)
        asked += 1
        if not _matches(expected, response):
            mismatches.append(f"GET {path} [{url.key}] {role} {office}: expected {expected}, got {_got(response)}")
    return asked, mismatches


# --- The tests ---------------------------------------------------------------------------------


def test_every_url_has_its_expected_answers_and_its_records():
    """A new URL fails here until EXPECTED says who may open it and, when it takes
    parameters, KWARGS names a record of each office; a removed URL's rows must go too."""
    found = urls()
    keys = {url.key for url in found}
    missing = sorted(url.key for url in found if url.key not in EXPECTED)
    unfilled = sorted({url.key for url in found if set(url.params) - {"format"} and url.key not in KWARGS})
    stale = sorted((set(EXPECTED) | set(KWARGS)) - keys - {f"{key}.json" for key in keys})
    assert (missing, unfilled, stale) == ([], [], [])


def test_every_role_gets_the_expected_answer_from_every_url(world, quick_streams):
    asked, mismatches = _get_mismatches(world)
    assert not mismatches, f"{len(mismatches)} of {asked} answers differ from EXPECTED:\n" + "\n".join(mismatches)


def _posts(cells):
    """The cells whose POST must be refused, less those whose GET already tells: the admin
    site's sign-in gate (a user who is not staff) refuses every method before any admin view
    runs, and a page's permission decorators refuse every method too, so of the roles a page
    refuses for want of a permission, one is asked (the first office-bound one). Every other
    refusal is asked: roles that may read but not write, another office's record, the API's
    and the admin's own permission checks (which differ by method), forms behind
    `require_POST` (whose GET says nothing), the anonymous visitor."""
    by_permission = set()  # pages whose refusal for want of a permission was asked
    for url, rule, office, role, path in cells:
        if rule.may_post(role, office):
            continue
        expected = rule.expected(role, office)
        if expected == ADMIN_LOGIN:
            continue
        if rule.anon == LOGIN and expected == 403 and role != ANON:
            if url.key in by_permission:
                continue
            by_permission.add(url.key)
        yield url, rule, office, role, path


def test_every_post_a_role_may_not_make_is_refused_and_writes_nothing(world, quick_streams):
    clients = world.clients
    mismatches, asked = [], 0
    by_url = {}
    for cell in _posts(_cells(world, urls(), roles=POST_ORDER)):
        by_url.setdefault(cell[0], []).append(cell)
    for url, cells in by_url.items():
        before = _writes()
        for _url, rule, office, role, path in cells:
            response = clients[role].post(path, {})
            asked += 1
            if not (_matches(REFUSED, response) or response.status_code in rule.post_refused):
                mismatches.append(f"POST {path} [{url.key}] {role} {office}: got {_got(response)}")
        after = _writes()
        wrote = {table: n - before.get(table, 0) for table, n in after.items() if n != before.get(table, 0)}
        if wrote:
            mismatches.append(f"POST {url.route} [{url.key}]: refused POSTs wrote rows {wrote}")
    assert not mismatches, f"{len(mismatches)} of {asked} refused POSTs were not:\n" + "\n".join(mismatches)


def test_a_format_suffix_route_answers_as_its_plain_route(world, quick_streams):
    """DRF's routers serve every route with a `.json` suffix too, passing `format` to the
    viewset's method: one that took no such argument answered 500 there. The superuser's GET,
    empty POST and empty PATCH of each suffixed route answer what the plain route answers."""
    found = urls()
    client, differ = world.clients["u"], []
    for url in found:
        if "format" not in url.params:
            continue
        plain = next(other for other in found if other.key == url.key and "format" not in other.params)
        values = _values(url, world, world.users["u"], OWN)
        for method in ("get", "post", "patch"):
            answers = [
                getattr(client, method)(_path(route, values), {}, content_type="application/json").status_code
                for route in (plain, url)
            ]
            if answers[0] != answers[1] or answers[1] >= 500:
                differ.append(f"{method.upper()} {_path(url, values)}: {answers[1]}, plain route {answers[0]}")
    assert not differ, "\n".join(differ)


# --- Devices: a public screen's credential opens its kind's pages of its office, nothing else ----

# The pages each kind of device opens (its office's: another office's record is a 404). Every
# other URL answers a device as it answers the anonymous visitor: a device credential is no
# sign-in, and the other kinds' pages refuse it (403).
DEVICE_PAGES = {
    "kiosk": {"queueing:device_kiosk", "queueing:device_kiosk_ticket"},
    "board": {"queueing:device_board", "queueing:device_board_events"},
    "counter_display": {"queueing:device_counter_display", "queueing:device_counter_display_state"},
    "satisfaction": {
        "queueing:device_satisfaction",
        "queueing:device_satisfaction_state",
        "queueing:device_satisfaction_rate",
    },
}
# What a device's own page answers a GET when not 200 (a form's action).
DEVICE_OK = {"queueing:device_satisfaction_rate": 405}


def _device_client(w, kind):
    from sso.core.devices import COOKIE

    client = Client(raise_request_exception=False)
    client.cookies[COOKIE] = getattr(w.own, f"{kind}_cookie")
    return client


def _device_cells(w, kind):
    """Every (URL, rule, office, path, expected answer) a device of `kind` of office OWN is asked."""
    for url in urls():
        rule = _rule(url)
        own_page = url.key in DEVICE_PAGES[kind]
        for office in (OWN, OTHER) if own_page and _names_a_record(w, url) else (OWN,):
            own = DEVICE_OK.get(url.key, 200) if office == OWN else 404
            expected = own if own_page else rule.expected(ANON, office)
            yield url, rule, office, _path(url, _values(url, w, None, office)), expected


@pytest.mark.parametrize("kind", sorted(DEVICE_PAGES))
def test_a_device_opens_its_own_pages_of_its_office_and_nothing_else(world, quick_streams, kind):
    client, mismatches, asked = _device_client(world, kind), [], 0
    for url, _, office, path, expected in _device_cells(world, kind):
        response = client.get(path)
        asked += 1
        if not _matches(expected, response):
            mismatches.append(
                f"GET {path} [{url.key}] {kind} device {office}: expected {expected}, got {_got(response)}"
            )
    assert asked > len(EXPECTED) // 2
    assert not mismatches, f"{len(mismatches)} of {asked} answers differ:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("kind", sorted(DEVICE_PAGES))
def test_every_post_of_a_device_outside_its_pages_is_refused_and_writes_nothing(world, quick_streams, kind):
    client, mismatches, asked = _device_client(world, kind), [], 0
    for url, rule, _office, path, _expected in _device_cells(world, kind):
        if url.key in DEVICE_PAGES[kind] or "-" in (rule.post or ""):
            continue  # its own pages' POSTs are its tests'; pages anyone may POST to (sign-in)
        before = _writes()
        response = client.post(path, {})
        asked += 1
        wrote = {table: n - before.get(table, 0) for table, n in _writes().items() if n != before.get(table, 0)}
        if not (_matches(REFUSED, response) or response.status_code in rule.post_refused) or wrote:
            mismatches.append(f"POST {path} [{url.key}] {kind} device: got {_got(response)}, wrote {wrote}")
    assert not mismatches, f"{len(mismatches)} of {asked} refused POSTs were not:\n" + "\n".join(mismatches)


if HOLES:  # defined only while a hole is open: no empty, skipped test otherwise

    @pytest.mark.parametrize(
        "hole", [pytest.param(reason, marks=pytest.mark.xfail(strict=True, reason=reason)) for reason in HOLES]
    )
    def test_known_holes_are_still_open(world, quick_streams, hole):
        """The cells marked as a known hole answer what EXPECTED says once the hole is closed;
        until then this fails as expected. When it passes, remove the mark from the cells."""
        asked, mismatches = _get_mismatches(world, hole=hole)
        assert asked and not mismatches, f"{len(mismatches)} of {asked} answers differ:\n" + "\n".join(mismatches)
