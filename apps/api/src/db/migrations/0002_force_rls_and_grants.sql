-- drizzle-kit emits ENABLE RLS and policies but not FORCE or GRANTs. This function applies both to
-- every table in the schema; the migrator calls it after each run so a new table cannot be missed.
CREATE OR REPLACE FUNCTION invpro_secure_tables() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
  LOOP
    IF t.relrowsecurity AND NOT t.relforcerowsecurity THEN
      EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t.relname);
    END IF;
  END LOOP;
  GRANT USAGE ON SCHEMA public TO invpro_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO invpro_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO invpro_app;
END
$$;
--> statement-breakpoint
SELECT invpro_secure_tables();
