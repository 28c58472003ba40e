"""The benefit rules' figures and the document checklists, from shared/domain/thai-sso-rules.md.

Rows, not constants: an administrator changes a figure by adding a row valid from a date.
Figures the facts file does not give are marked so in their note.
"""

import datetime
from decimal import Decimal

from django.db import migrations

FACTS = "thai-sso-rules.md"
NOT_IN_FACTS = "not in the facts file: SSO practice, to confirm"
START = datetime.date(1991, 1, 1)

# key, value, note (valid from START unless given as (value, valid_from, valid_to))
PARAMETERS = [
    ("daily_wage.months_back", "9", "Act s.57: the 9 months before the event"),
    ("daily_wage.best_months", "3", "Act s.57: the 3 highest monthly wages"),
    ("daily_wage.divisor", "90", "Act s.57"),
    ("cover_after_leaving.months", "6", FACTS),
    ("sickness.qualifying_months", "3", FACTS),
    ("sickness.window_months", "15", FACTS),
    ("sickness.cash_rate", "50", FACTS),
    ("sickness.max_days_per_claim", "90", FACTS),
    ("sickness.max_days_per_year", "180", FACTS),
    ("sickness.max_days_per_year_chronic", "365", FACTS),
    ("dental.qualifying_months", "3", NOT_IN_FACTS),
    ("dental.window_months", "15", NOT_IN_FACTS),
    ("dental.annual_limit", "900", NOT_IN_FACTS),
    ("maternity.qualifying_months", "5", FACTS),
    ("maternity.window_months", "15", FACTS),
    ("maternity.lump_sum", "15000", FACTS),
    ("maternity.cash_rate", "50", FACTS),
    ("maternity.cash_days", "90", FACTS),
    ("invalidity.qualifying_months", "3", FACTS),
    ("invalidity.window_months", "15", FACTS),
    ("invalidity.cash_rate", "50", FACTS),
    ("death.qualifying_months", "1", FACTS),
    ("death.window_months", "6", FACTS),
    ("death.funeral_grant", "50000", FACTS),
    ("death.survivor_tier1_from_months", "36", FACTS),
    ("death.survivor_tier2_from_months", "120", FACTS),
    ("death.survivor_tier1_wage_months", "4", FACTS + "; sources disagree (2 or 4): a dated row changes it"),
    ("death.survivor_tier2_wage_months", "12", FACTS + "; sources disagree (6 or 12): a dated row changes it"),
    ("child_allowance.qualifying_months", "12", FACTS),
    ("child_allowance.window_months", "36", FACTS),
    ("child_allowance.monthly", "800", FACTS),
    ("child_allowance.max_age_years", "6", FACTS),
    ("child_allowance.max_children", "3", FACTS),
    ("old_age.age", "55", FACTS),
    ("old_age.pension_min_months", "180", FACTS),
    ("old_age.pension_rate", "20", FACTS),
    ("old_age.pension_step_rate", "1.5", FACTS + ": for each 12 months beyond the minimum"),
    ("old_age.pension_step_months", "12", FACTS),
    ("old_age.average_wage_months", "60", FACTS),
    ("old_age.lump_sum_own_only_below_months", "12", FACTS),
    ("old_age.share_of_wage", "3", NOT_IN_FACTS + ": the old-age part of each side's 5%"),
    ("unemployment.qualifying_months", "6", FACTS),
    ("unemployment.window_months", "15", FACTS),
    ("unemployment.min_days_out", "8", FACTS),
    ("unemployment.registration_days", "30", FACTS),
    ("unemployment.laid_off_rate", ("50", START, datetime.date(2025, 6, 24)), FACTS + ": 50% before late June 2025"),
    ("unemployment.laid_off_rate", ("60", datetime.date(2025, 6, 25), None), FACTS + ": the exact day is not given"),
    ("unemployment.laid_off_days", "180", FACTS),
    ("unemployment.resigned_rate", "30", FACTS),
    ("unemployment.resigned_days", "90", FACTS),
    ("unemployment.max_days_per_year", "180", FACTS),
]

# benefit, code, Thai, English, registry fact, order
DOCUMENTS = [
    ("sickness", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("sickness", "medical_certificate", "ใบรับรองแพทย์", "Medical certificate", "", 2),
    ("sickness", "receipt", "ใบเสร็จรับเงินค่ารักษาพยาบาล", "Medical expense receipt", "", 3),
    ("sickness", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 4),
    ("dental", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("dental", "receipt", "ใบเสร็จรับเงินค่าทันตกรรม", "Dental receipt", "", 2),
    ("dental", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 3),
    ("maternity", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("maternity", "birth_certificate", "สำเนาสูติบัตรบุตร", "Copy of the child's birth certificate", "child", 2),
    ("maternity", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 3),
    ("invalidity", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("invalidity", "medical_report", "รายงานแพทย์ผู้รักษา", "Treating doctor's report", "", 2),
    ("invalidity", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 3),
    ("death", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("death", "death_certificate", "สำเนามรณบัตร", "Copy of the death certificate", "death", 2),
    ("death", "funeral_receipt", "หลักฐานการจัดการศพ", "Proof of paying the funeral", "", 3),
    ("death", "claimant_id", "สำเนาบัตรประชาชนผู้ยื่นคำขอ", "Copy of the claimant's ID card", "", 4),
    ("child_allowance", "claim_form", "แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01)", "Benefit claim form (SSO 2-01)", "", 1),
    ("child_allowance", "birth_certificate", "สำเนาสูติบัตรบุตร", "Copy of the child's birth certificate", "child", 2),
    ("child_allowance", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 3),
    ("old_age", "claim_form", "แบบคำขอรับประโยชน์ทดแทนกรณีชราภาพ (สปส. 2-18)", "Old-age claim form (SSO 2-18)", "", 1),
    ("old_age", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 2),
    ("unemployment", "claim_form", "แบบคำขอรับประโยชน์ทดแทนกรณีว่างงาน (สปส. 2-01/7)", "Unemployment claim form (SSO 2-01/7)", "", 1),
    ("unemployment", "leaving_notice", "การแจ้งลูกจ้างออกจากงาน (สปส. 6-09)", "Notice of leaving (SSO 6-09)", "employment_ended", 2),
    ("unemployment", "job_registration", "หลักฐานการขึ้นทะเบียนผู้ว่างงานกับกรมการจัดหางาน", "Registration with the Employment Department", "", 3),
    ("unemployment", "bank_book", "สำเนาสมุดบัญชีเงินฝากธนาคาร", "Copy of the bank book", "bank_account", 4),
]


def seed(apps, schema_editor):
    BenefitParameter = apps.get_model("benefits", "BenefitParameter")
    DocumentRequirement = apps.get_model("benefits", "DocumentRequirement")
    for key, value, note in PARAMETERS:
        value, valid_from, valid_to = value if isinstance(value, tuple) else (value, START, None)
        BenefitParameter.objects.update_or_create(
            key=key, valid_from=valid_from, defaults={"value": Decimal(value), "valid_to": valid_to, "note": note}
        )
    for benefit, code, name_th, name_en, fact, order in DOCUMENTS:
        DocumentRequirement.objects.update_or_create(
            benefit=benefit,
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "registry_fact": fact, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
