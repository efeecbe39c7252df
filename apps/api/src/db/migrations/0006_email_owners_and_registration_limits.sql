CREATE TABLE "registration_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"attempted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "users_email_lower_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "owns_email" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX "registration_attempts_lookup_idx" ON "registration_attempts" USING btree ("address","attempted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_owner_key" ON "users" USING btree (lower("email")) WHERE owns_email;--> statement-breakpoint
CREATE INDEX "users_email_lower_idx" ON "users" USING btree (lower("email"));