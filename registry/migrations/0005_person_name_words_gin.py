from django.db import migrations

# A name of several words ("first last") is searched through a GIN trigram index: its
# trigrams together pick few candidates, which are ranked (tens of ms at a million
# persons), where the GiST walk of migration 0004 costs hundreds. One word (a common first
# name alone matches thousands) stays on the GiST nearest-first walk. The GIN index is on
# the expression of `search_name`, not on the column, so that the planner cannot mix the
# two up: registry.selectors.NAME_WORDS is the same expression, character for character.
GIN = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS person_name_words_gin ON registry_insuredperson
      USING gin ((lower(first_name_th || ' ' || last_name_th || ' ' || first_name_en || ' ' || last_name_en))
                 gin_trgm_ops);
  END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_search_indexes_gist")]

    operations = [migrations.RunSQL(GIN, "DROP INDEX IF EXISTS person_name_words_gin")]
