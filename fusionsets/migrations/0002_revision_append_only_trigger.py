"""On PostgreSQL, refuse UPDATE and DELETE of Fusion Set revisions at the database itself.

The model already refuses both; the trigger also stops raw SQL and bulk paths, so a build's
recorded revision can never change after the fact.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION fusebox_fusionset_revision_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'fusionsets_fusionsetrevision is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS fusionsets_revision_append_only ON fusionsets_fusionsetrevision;
CREATE TRIGGER fusionsets_revision_append_only
    BEFORE UPDATE OR DELETE ON fusionsets_fusionsetrevision
    FOR EACH ROW EXECUTE FUNCTION fusebox_fusionset_revision_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS fusionsets_revision_append_only ON fusionsets_fusionsetrevision;
DROP FUNCTION IF EXISTS fusebox_fusionset_revision_immutable();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("fusionsets", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
