-- `?search=` through the trigram index, for the current tenant only (decision 0014).
--
-- Under row-level security PostgreSQL evaluates the policy's quals before any qual whose operator
-- is not LEAKPROOF, and it cannot use such a qual as an index condition: LIKE is not leakproof, so
-- as invpro_app `search_text LIKE '%term%'` is a filter over every row of the organization, never
-- a trigram index scan (EXPLAIN: a sequential scan of 100,000 rows instead of a bitmap scan of the
-- matches). Marking LIKE leakproof would take a superuser and would be untrue (its pattern errors
-- can reveal a row). So the lookup runs in one function owned by a role that does nothing else:
-- its only privilege is reading three columns of catalog_products, and the function's query names
-- the tenant exactly as the tenant policy does. It returns product ids; the caller's own query
-- still runs as invpro_app under the tenant policy.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'invpro_search') THEN
    CREATE ROLE invpro_search NOLOGIN NOINHERIT;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating user must be a member to give the function to it (a superuser already may).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'invpro_search', 'MEMBER') THEN
    EXECUTE format('GRANT invpro_search TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO invpro_search;
--> statement-breakpoint
GRANT SELECT (org_id, id, search_text) ON catalog_products TO invpro_search;
--> statement-breakpoint
-- No tenant qual here: the function's own WHERE is the tenant check, and a policy qual would put the
-- trigram match behind it again.
CREATE POLICY catalog_products_search ON catalog_products AS PERMISSIVE FOR SELECT TO invpro_search USING (true);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION invpro_products_matching(pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
-- Planned for each pattern: a generic plan cannot tell a selective term from a two-letter one.
SET plan_cache_mode = force_custom_plan
ROWS 1000
AS $$
  SELECT p.id FROM public.catalog_products p
  WHERE p.org_id = nullif(current_setting('app.org_id', true), '')::uuid
    AND p.search_text LIKE pattern
$$;
--> statement-breakpoint
ALTER FUNCTION invpro_products_matching(text) OWNER TO invpro_search;
--> statement-breakpoint
REVOKE ALL ON FUNCTION invpro_products_matching(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION invpro_products_matching(text) TO invpro_app;
