CREATE TABLE "shopify_connections" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"shop_domain" text NOT NULL,
	"auth_method" text NOT NULL,
	"state" text NOT NULL,
	"api_key" text,
	"api_secret_enc" text,
	"access_token_enc" text,
	"refresh_token_enc" text,
	"token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"access_token_hint" text,
	"api_secret_hint" text,
	"shop_name" text,
	"shop_gid" text,
	"plan_name" text,
	"currency" text,
	"timezone" text,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"webhooks_state" text DEFAULT 'not_configured' NOT NULL,
	"webhooks_error" text,
	"webhook_subscriptions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"connected_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shopify_connections_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "shopify_connections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "shopify_oauth_states" (
	"org_id" uuid NOT NULL,
	"nonce" text NOT NULL,
	"user_id" uuid NOT NULL,
	"shop_domain" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "shopify_oauth_states_org_id_nonce_pk" PRIMARY KEY("org_id","nonce")
);
--> statement-breakpoint
ALTER TABLE "shopify_oauth_states" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "shopify_shop_index" (
	"shop_domain" text NOT NULL,
	"org_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	CONSTRAINT "shopify_shop_index_shop_domain_org_id_connection_id_pk" PRIMARY KEY("shop_domain","org_id","connection_id")
);
--> statement-breakpoint
ALTER TABLE "shopify_shop_index" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"event_id" text NOT NULL,
	"webhook_id" text,
	"api_version" text,
	"triggered_at" timestamp with time zone,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"status" text DEFAULT 'received' NOT NULL,
	"error" text,
	CONSTRAINT "webhook_events_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "webhook_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "shopify_connections" ADD CONSTRAINT "shopify_connections_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shopify_shop_index" ADD CONSTRAINT "shopify_shop_index_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "shopify_connections_shop_key" ON "shopify_connections" USING btree ("org_id","shop_domain");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_dedupe_key" ON "webhook_events" USING btree ("org_id","connection_id","event_id");--> statement-breakpoint
CREATE INDEX "webhook_events_status_idx" ON "webhook_events" USING btree ("org_id","status");--> statement-breakpoint
CREATE POLICY "shopify_connections_tenant" ON "shopify_connections" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "shopify_oauth_states_tenant" ON "shopify_oauth_states" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "shopify_shop_index_route" ON "shopify_shop_index" AS PERMISSIVE FOR SELECT TO "invpro_app" USING (true);--> statement-breakpoint
CREATE POLICY "shopify_shop_index_insert" ON "shopify_shop_index" AS PERMISSIVE FOR INSERT TO "invpro_app" WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "shopify_shop_index_delete" ON "shopify_shop_index" AS PERMISSIVE FOR DELETE TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "webhook_events_tenant" ON "webhook_events" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);