import datetime

from django.db import migrations

# Name search uses pg_trgm where the server has it (GIN trigram indexes, ranked by
# similarity). The embedded PostgreSQL of `make run` ships without it: there the search
# falls back to substring matching (see registry.selectors), so nothing here may fail.
TRIGRAM_INDEXES = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS person_search_name_trgm
      ON registry_insuredperson USING gin (search_name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS employer_search_name_trgm
      ON registry_employer USING gin (search_name gin_trgm_ops);
  END IF;
END $$;
"""

DROP_TRIGRAM_INDEXES = """
DROP INDEX IF EXISTS person_search_name_trgm;
DROP INDEX IF EXISTS employer_search_name_trgm;
"""

# Account numbers issued on SSO 1-01: province code, a running number, a check digit.
ACCOUNT_SEQUENCE = "CREATE SEQUENCE IF NOT EXISTS registry_employer_account_seq START 1000000"

# Bank of Thailand codes of the banks that take benefit payments.
BANKS = [
    ("002", "ธนาคารกรุงเทพ", "Bangkok Bank", 10),
    ("004", "ธนาคารกสิกรไทย", "Kasikornbank", 10),
    ("006", "ธนาคารกรุงไทย", "Krung Thai Bank", 10),
    ("011", "ธนาคารทหารไทยธนชาต", "TMBThanachart Bank", 10),
    ("014", "ธนาคารไทยพาณิชย์", "Siam Commercial Bank", 10),
    ("022", "ธนาคารซีไอเอ็มบี ไทย", "CIMB Thai Bank", 10),
    ("024", "ธนาคารยูโอบี", "United Overseas Bank (Thai)", 10),
    ("025", "ธนาคารกรุงศรีอยุธยา", "Bank of Ayudhya", 10),
    ("030", "ธนาคารออมสิน", "Government Savings Bank", 12),
    ("033", "ธนาคารอาคารสงเคราะห์", "Government Housing Bank", 12),
    ("034", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร", "Bank for Agriculture and Agricultural Cooperatives", 12),
    ("066", "ธนาคารอิสลามแห่งประเทศไทย", "Islamic Bank of Thailand", 10),
    ("067", "ธนาคารทิสโก้", "TISCO Bank", 10),
    ("069", "ธนาคารเกียรตินาคินภัทร", "Kiatnakin Phatra Bank", 10),
    ("073", "ธนาคารแลนด์ แอนด์ เฮ้าส์", "Land and Houses Bank", 10),
]


def banks_load(apps, schema_editor):
    Bank = apps.get_model("registry", "Bank")
    for code, name_th, name_en, digits in BANKS:
        Bank.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "account_digits": digits}
        )


def rule_load(apps, schema_editor):
    # The Social Security Act B.E. 2533 came into force on 2 September 1990.
    apps.get_model("registry", "RegistrationRule").objects.get_or_create(valid_from=datetime.date(1990, 9, 2))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunSQL(TRIGRAM_INDEXES, DROP_TRIGRAM_INDEXES),
        migrations.RunSQL(ACCOUNT_SEQUENCE, "DROP SEQUENCE IF EXISTS registry_employer_account_seq"),
        migrations.RunPython(banks_load, migrations.RunPython.noop),
        migrations.RunPython(rule_load, migrations.RunPython.noop),
    ]
