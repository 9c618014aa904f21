"""A deferred constraint trigger: a grant's co-financing shares add up to exactly 100 %.

Checked at commit (DEFERRABLE INITIALLY DEFERRED), so a formset may rewrite several shares in one
transaction and pass through sums other than 100 on the way. It guards every writer (admin,
shell, bulk inserts), not only funding.services, which locks the grant row and checks the sum
itself to give a readable error first. A grant with no shares yet (a draft) passes.
PostgreSQL only; on the embedded SQLite default the service check is the guard.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION funding_check_share_sum() RETURNS trigger AS $$
DECLARE
    gid bigint;
    total numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN gid := OLD.grant_id; ELSE gid := NEW.grant_id; END IF;
    SELECT SUM(percent) INTO total FROM funding_cofinancingshare WHERE grant_id = gid;
    IF total IS NOT NULL AND total <> 100 THEN
        RAISE EXCEPTION 'co-financing shares of grant % add up to % %%, not 100 %%', gid, total
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.grant_id <> NEW.grant_id THEN
        SELECT SUM(percent) INTO total FROM funding_cofinancingshare WHERE grant_id = OLD.grant_id;
        IF total IS NOT NULL AND total <> 100 THEN
            RAISE EXCEPTION 'co-financing shares of grant % add up to % %%, not 100 %%',
                OLD.grant_id, total USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS funding_share_sum ON funding_cofinancingshare;
CREATE CONSTRAINT TRIGGER funding_share_sum
    AFTER INSERT OR UPDATE OR DELETE ON funding_cofinancingshare
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_check_share_sum();
"""

DROP = """
DROP TRIGGER IF EXISTS funding_share_sum ON funding_cofinancingshare;
DROP FUNCTION IF EXISTS funding_check_share_sum();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the driver leaves the plpgsql "%" placeholders alone.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_cofinancingshare_fundingprogramme_grant_expenditure_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
