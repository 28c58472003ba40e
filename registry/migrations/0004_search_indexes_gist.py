from django.db import migrations

# GiST instead of GIN for the name search: GiST serves `ORDER BY search_name <->> query`
# as a nearest-first index scan that stops after the first page, so a common name that
# matches tens of thousands of persons costs the same as a rare one (GIN has to fetch and
# rank every match). siglen=64 keeps the signatures selective at a million names.
GIST = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    DROP INDEX IF EXISTS person_search_name_trgm;
    DROP INDEX IF EXISTS employer_search_name_trgm;
    CREATE INDEX IF NOT EXISTS person_search_name_gist
      ON registry_insuredperson USING gist (search_name gist_trgm_ops(siglen=64));
    CREATE INDEX IF NOT EXISTS employer_search_name_gist
      ON registry_employer USING gist (search_name gist_trgm_ops(siglen=64));
  END IF;
END $$;
"""

GIN = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    DROP INDEX IF EXISTS person_search_name_gist;
    DROP INDEX IF EXISTS employer_search_name_gist;
    CREATE INDEX IF NOT EXISTS person_search_name_trgm
      ON registry_insuredperson USING gin (search_name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS employer_search_name_trgm
      ON registry_employer USING gin (search_name gin_trgm_ops);
  END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_bulkupload_employer_language")]

    operations = [migrations.RunSQL(GIST, GIN)]
