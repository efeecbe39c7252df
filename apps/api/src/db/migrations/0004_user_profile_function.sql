-- The hottest read (every page load asks who am I) as one round trip: the same tenant scoping as
-- withScope() (transaction-local app.org_id, app.user_id and role invpro_app, so row-level security
-- applies), done inside an invoker function. Called on its own it is its own transaction, so every
-- setting ends with the statement; PL/pgSQL also caches the inner query's plan per connection.
CREATE OR REPLACE FUNCTION invpro_user_profile(p_user uuid, p_org uuid)
RETURNS TABLE (id uuid, email text, username text, org_id uuid, org_name text, role text)
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
  PERFORM set_config('app.org_id', p_org::text, true),
          set_config('app.user_id', p_user::text, true),
          set_config('role', 'invpro_app', true);
  RETURN QUERY
    SELECT u.id, u.email, u.username, o.id, o.name, m.role
    FROM memberships m
    JOIN organizations o ON o.id = m.org_id
    JOIN users u ON u.id = m.user_id
    WHERE m.user_id = p_user
    ORDER BY o.name, o.id;
END
$$;
