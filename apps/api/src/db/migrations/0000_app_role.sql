-- The application role every request runs as (SET LOCAL ROLE invpro_app). Roles are cluster-wide:
-- create it only when missing, so migrating a second database on the same server works.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'invpro_app') THEN
    CREATE ROLE invpro_app NOLOGIN NOINHERIT;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating user must be a member to SET ROLE to it (a superuser already may).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'invpro_app', 'MEMBER') THEN
    EXECUTE format('GRANT invpro_app TO %I', current_user);
  END IF;
END
$$;
