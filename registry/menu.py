from django.utils.translation import gettext_lazy as _

from sso.core.menu import MenuItem

ITEMS = (
    MenuItem(
        "registry_search", _("Registry"), "registry:search", "registry.view_insuredperson",
        _("Find an insured person or employer by ID or name."), 5,
    ),
    MenuItem(
        "person_reads", _("Reads of other offices' persons"), "registry:person_reads", "core.view_audit_history",
        _("Who read the record of a person another office keeps, and when."), 920,
    ),
    MenuItem(
        "employer_register", _("Register an employer"), "registry:employer_register", "registry.add_employer",
        _("Form SSO 1-01: issue an account number."), 60,
    ),
    MenuItem(
        "bulk_upload", _("Register employees from a file"), "registry:upload_new", "registry.add_bulkupload",
        _("SSO 1-03 in bulk: CSV or Excel, every line checked."), 62,
    ),
    MenuItem(
        "section40", _("Section 40 registration"), "registry:section40", "registry.add_sectionspell",
        _("Informal workers: join or change option."), 65,
    ),
)  # fmt: skip
