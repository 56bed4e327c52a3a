from django.db import migrations

# unaccent() is only STABLE (its dictionary could change), so no index can be built on it:
# search_unaccent() is the usual IMMUTABLE wrapper, naming its dictionary. Free-text search
# (clinics/search.py) looks words up through it, and these GIN trigram indexes serve both
# its exact matches (~*) and its typo-tolerant ones (%>>, strict word similarity). Built in
# the migration's transaction, which blocks writes to these tables while they build: seconds
# at national scale.
# {schema}: wherever CREATE EXTENSION put unaccent (migration 0002).
FUNCTION = """
CREATE OR REPLACE FUNCTION search_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$
"""
INDEXES = {
    # search: a word in a clinic's name or description
    "clinic_name_trgm_idx": ("clinics_clinic", "name"),
    "clinic_description_trgm_idx": ("clinics_clinic", "description"),
    # search: a word in the name of a practitioner working there
    "practitioner_first_name_trgm_idx": ("clinics_practitioner", "first_name"),
    "practitioner_last_name_trgm_idx": ("clinics_practitioner", "last_name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: plain substring search, no indexes to build
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(nspname) FROM pg_extension "
            "JOIN pg_namespace ON pg_namespace.oid = extnamespace WHERE extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    schema_editor.execute(FUNCTION.format(schema=schema))
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (search_unaccent({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("clinics", "0003_clinic_location_index")]

    operations = [migrations.RunPython(create, drop)]
