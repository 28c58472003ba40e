"""Writes of the registry: the counter's registration forms and the back office's merge.

Each function takes keyword arguments and the officer doing it, checks everything before
writing, raises `ValidationError` naming the field (in the active language) and writes
nothing when a check fails: each runs in one transaction. Histories (section, hospital,
bank account) are closed and opened, never overwritten.

The writes are grouped by what they are about: `employers`, `persons`, `employment`,
`sections` and `reads` (the log of reads of another office's person); `common` holds the
field checks they share. Other modules and apps call the names this module exports.
"""

from registry.services.common import DEPENDANT_TEXT_CHECKS, EMPLOYER_TEXT_CHECKS, TEXT_CHECKS, texts_clean
from registry.services.employers import branch_add, employer_account_number_issue, employer_cease, employer_register
from registry.services.employment import employee_leave, employee_register
from registry.services.persons import (
    bank_account_set,
    dependant_add,
    hospital_change,
    person_create,
    person_merge,
    person_update,
)
from registry.services.reads import person_read_record
from registry.services.sections import section39_apply, section40_register

__all__ = [
    "DEPENDANT_TEXT_CHECKS",
    "EMPLOYER_TEXT_CHECKS",
    "TEXT_CHECKS",
    "bank_account_set",
    "branch_add",
    "dependant_add",
    "employee_leave",
    "employee_register",
    "employer_account_number_issue",
    "employer_cease",
    "employer_register",
    "hospital_change",
    "person_create",
    "person_merge",
    "person_read_record",
    "person_update",
    "section39_apply",
    "section40_register",
    "texts_clean",
]
