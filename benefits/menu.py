from django.utils.translation import gettext_lazy as _

from sso.core.menu import MenuItem

ITEMS = (
    MenuItem(
        "claims", _("Claims"), "benefits:claim_list", "benefits.view_claim",
        _("Benefit claims to decide: referred ones first, oldest first."), 35,
    ),
    MenuItem(
        "payments", _("Payments"), "benefits:payments", "benefits.view_paymentorder",
        _("Bank batches, the bank's confirmations, returned transfers and the monthly run."), 36,
    ),
)  # fmt: skip
ITEMS += (
    MenuItem(
        "verify_claims",
        _("Verify claims"),
        "benefits:verify_list",
        "benefits.change_claimfinding",
        _("Claims with findings of the back office's cross-check: payment held until cleared."),
        36,
    ),
)
ITEMS += (
    MenuItem(
        "appeals",
        _("Appeals"),
        "benefits:appeal_list",
        "benefits.view_appeal",
        _("Appeals against claim decisions waiting for the Appeals Committee, oldest first."),
        37,
    ),
)
ITEMS += (
    MenuItem(
        "hospital_requests",
        _("Hospital requests"),
        "benefits:hospital_requests",
        "benefits.view_hospitalrequest",
        _("Hospitals' requests for high-cost care: checked, approved by a second officer, paid by bank."),
        38,
    ),
)
