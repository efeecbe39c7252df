-- The migrator's invpro_secure_tables() (0002) would force it too; said here so the table's
-- migration is complete on its own.
ALTER TABLE "mail_outbox" FORCE ROW LEVEL SECURITY;
