from django.utils.translation import gettext_lazy as _

from sso.core.menu import MenuItem

ITEMS = (
    MenuItem(
        "contribution_counter", _("Collect contributions"), "contributions:counter", "contributions.add_statement",
        _("SSO 1-10 statement, payment and receipt in one step."), 3,
    ),
    MenuItem(
        "statement_list", _("Contribution statements"), "contributions:statement_list", "contributions.view_statement",
        _("Statements filed at this office, paid or not."), 70,
    ),
    MenuItem(
        "receipt_list", _("Receipts of the day"), "contributions:receipt_list", "contributions.view_receipt",
        _("Receipts issued today, with totals by payment method."), 71,
    ),
)  # fmt: skip
ITEMS += (
    MenuItem(
        "statement_upload",
        _("Upload a statement file"),
        "contributions:statement_upload",
        "contributions.add_statement",
        _("SSO 1-10 as a text file or the Excel form: every line checked, all or nothing."),
        72,
    ),
)
ITEMS += (
    MenuItem(
        "verify_statements",
        _("Verify statements"),
        "contributions:verify_queue",
        "contributions.verify_statement",
        _("Statements with findings of the back office's cross-check, oldest first."),
        74,
    ),
    MenuItem(
        "reimbursements",
        _("Reimbursements"),
        "contributions:reimbursement_list",
        "contributions.change_reimbursement",
        _("Overpayments to pay back: approve, batch, mark paid."),
        75,
    ),
)
ITEMS += (
    MenuItem(
        "arrears",
        _("Arrears"),
        "contributions:arrears",
        "contributions.view_arrears",
        _("Employers that did not file or did not pay a wage period, with the surcharge to date."),
        73,
    ),
)
