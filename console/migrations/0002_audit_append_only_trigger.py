"""On PostgreSQL, refuse UPDATE and DELETE on the audit trail at the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION fusebox_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'console_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS console_auditevent_append_only ON console_auditevent;
CREATE TRIGGER console_auditevent_append_only
    BEFORE UPDATE OR DELETE ON console_auditevent
    FOR EACH ROW EXECUTE FUNCTION fusebox_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS console_auditevent_append_only ON console_auditevent;
DROP FUNCTION IF EXISTS fusebox_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("console", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
