from django.utils.translation import gettext_lazy as _

from sso.core.menu import MenuItem

ITEMS = (
    MenuItem(
        "claims", _("Claims"), "benefits:claim_list", "benefits.view_claim",
        _("Benefit claims to decide: referred ones first, oldest first."), 35,
    ),
)  # fmt: skip
