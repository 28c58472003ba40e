from django.db import migrations

# As migration 0005, for employers: registry.selectors.EMPLOYER_NAME_WORDS is this expression.
GIN = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS employer_name_words_gin ON registry_employer
      USING gin ((lower(name_th || ' ' || name_en)) gin_trgm_ops);
  END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_person_name_words_gin")]

    operations = [migrations.RunSQL(GIN, "DROP INDEX IF EXISTS employer_name_words_gin")]
