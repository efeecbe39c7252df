CREATE TABLE "catalog_images" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"shopify_gid" text NOT NULL,
	"product_gid" text NOT NULL,
	"url" text NOT NULL,
	"alt_text" text,
	"width" integer,
	"height" integer,
	"position" integer NOT NULL,
	CONSTRAINT "catalog_images_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "catalog_images" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalog_inventory_levels" (
	"org_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"inventory_item_gid" text NOT NULL,
	"location_gid" text NOT NULL,
	"available" integer NOT NULL,
	"on_hand" integer NOT NULL,
	"committed" integer NOT NULL,
	"incoming" integer NOT NULL,
	"reserved" integer NOT NULL,
	"damaged" integer NOT NULL,
	"safety_stock" integer NOT NULL,
	"quality_control" integer NOT NULL,
	"shopify_updated_at" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_inventory_levels_org_id_connection_id_inventory_item_gid_location_gid_pk" PRIMARY KEY("org_id","connection_id","inventory_item_gid","location_gid")
);
--> statement-breakpoint
ALTER TABLE "catalog_inventory_levels" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalog_locations" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"shopify_gid" text NOT NULL,
	"name" text NOT NULL,
	"is_active" boolean NOT NULL,
	"fulfills_online_orders" boolean DEFAULT false NOT NULL,
	"ships_inventory" boolean DEFAULT false NOT NULL,
	"address" jsonb,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "catalog_locations_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "catalog_locations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalog_products" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"shopify_gid" text NOT NULL,
	"handle" text NOT NULL,
	"title" text NOT NULL,
	"description_html" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"product_type" text DEFAULT '' NOT NULL,
	"vendor" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shopify_created_at" timestamp with time zone NOT NULL,
	"shopify_updated_at" timestamp with time zone NOT NULL,
	"price_min" numeric(14, 2),
	"price_max" numeric(14, 2),
	"total_inventory" integer DEFAULT 0 NOT NULL,
	"variants_count" integer DEFAULT 0 NOT NULL,
	"image" jsonb,
	"search_text" text DEFAULT '' NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "catalog_products_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "catalog_products" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalog_variants" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"shopify_gid" text NOT NULL,
	"product_gid" text NOT NULL,
	"title" text NOT NULL,
	"sku" text,
	"barcode" text,
	"price" numeric(14, 2) NOT NULL,
	"compare_at_price" numeric(14, 2),
	"position" integer NOT NULL,
	"selected_options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"inventory_policy" text NOT NULL,
	"taxable" boolean NOT NULL,
	"inventory_item_gid" text,
	"tracked" boolean,
	"shopify_updated_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "catalog_variants_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "catalog_variants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"type" text NOT NULL,
	"scope" text NOT NULL,
	"mode" text NOT NULL,
	"path" text,
	"path_reason" text,
	"state" text NOT NULL,
	"phase" text,
	"requested_by" uuid,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"total" integer,
	"done" integer DEFAULT 0 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"products_processed" integer DEFAULT 0 NOT NULL,
	"variants_processed" integer DEFAULT 0 NOT NULL,
	"levels_processed" integer DEFAULT 0 NOT NULL,
	"products" jsonb DEFAULT '{"created":0,"updated":0,"unchanged":0,"deleted":0}'::jsonb NOT NULL,
	"variants" jsonb DEFAULT '{"created":0,"updated":0,"unchanged":0,"deleted":0}'::jsonb NOT NULL,
	"levels" jsonb DEFAULT '{"created":0,"updated":0,"unchanged":0,"deleted":0}'::jsonb NOT NULL,
	"points_used" bigint DEFAULT 0 NOT NULL,
	"throttle_wait_ms" bigint DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checkpoint" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "sync_runs_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sync_seen" (
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"gid" text NOT NULL,
	CONSTRAINT "sync_seen_org_id_run_id_kind_gid_pk" PRIMARY KEY("org_id","run_id","kind","gid")
);
--> statement-breakpoint
ALTER TABLE "sync_seen" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sync_states" (
	"org_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"products_watermark" timestamp with time zone,
	"levels_watermark" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	"fresh_at" timestamp with time zone,
	"last_run_id" uuid,
	"interval_seconds" integer,
	"full_every_hours" integer DEFAULT 24 NOT NULL,
	"next_sync_at" timestamp with time zone,
	"product_count" integer,
	"variant_count" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_states_org_id_connection_id_pk" PRIMARY KEY("org_id","connection_id")
);
--> statement-breakpoint
ALTER TABLE "sync_states" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalog_images" ADD CONSTRAINT "catalog_images_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_inventory_levels" ADD CONSTRAINT "catalog_inventory_levels_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_locations" ADD CONSTRAINT "catalog_locations_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_products" ADD CONSTRAINT "catalog_products_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_variants" ADD CONSTRAINT "catalog_variants_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_seen" ADD CONSTRAINT "sync_seen_org_id_run_id_sync_runs_org_id_id_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."sync_runs"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_states" ADD CONSTRAINT "sync_states_org_id_connection_id_shopify_connections_org_id_id_fk" FOREIGN KEY ("org_id","connection_id") REFERENCES "public"."shopify_connections"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_images_gid_key" ON "catalog_images" USING btree ("org_id","connection_id","shopify_gid");--> statement-breakpoint
CREATE INDEX "catalog_images_product_idx" ON "catalog_images" USING btree ("org_id","connection_id","product_gid","position");--> statement-breakpoint
CREATE INDEX "catalog_levels_location_idx" ON "catalog_inventory_levels" USING btree ("org_id","connection_id","location_gid");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_locations_gid_key" ON "catalog_locations" USING btree ("org_id","connection_id","shopify_gid");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_products_gid_key" ON "catalog_products" USING btree ("org_id","connection_id","shopify_gid");--> statement-breakpoint
CREATE INDEX "catalog_products_search_idx" ON "catalog_products" USING gin (search_text gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalog_products_title_idx" ON "catalog_products" USING btree ("org_id",lower(title),"id");--> statement-breakpoint
CREATE INDEX "catalog_products_updated_idx" ON "catalog_products" USING btree ("org_id","shopify_updated_at","id");--> statement-breakpoint
CREATE INDEX "catalog_products_connection_idx" ON "catalog_products" USING btree ("org_id","connection_id","deleted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_variants_gid_key" ON "catalog_variants" USING btree ("org_id","connection_id","shopify_gid");--> statement-breakpoint
CREATE INDEX "catalog_variants_product_idx" ON "catalog_variants" USING btree ("org_id","connection_id","product_gid");--> statement-breakpoint
CREATE INDEX "catalog_variants_item_idx" ON "catalog_variants" USING btree ("org_id","connection_id","inventory_item_gid");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_active_key" ON "sync_runs" USING btree ("org_id","connection_id") WHERE state in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("org_id","connection_id","queued_at");--> statement-breakpoint
CREATE POLICY "catalog_images_tenant" ON "catalog_images" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "catalog_inventory_levels_tenant" ON "catalog_inventory_levels" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "catalog_locations_tenant" ON "catalog_locations" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "catalog_products_tenant" ON "catalog_products" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "catalog_variants_tenant" ON "catalog_variants" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "sync_runs_tenant" ON "sync_runs" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "sync_seen_tenant" ON "sync_seen" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "sync_states_tenant" ON "sync_states" AS PERMISSIVE FOR ALL TO "invpro_app" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);