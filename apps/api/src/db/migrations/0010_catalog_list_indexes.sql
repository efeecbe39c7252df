CREATE INDEX "catalog_products_inventory_idx" ON "catalog_products" USING btree ("org_id","total_inventory","id","deleted_at");--> statement-breakpoint
CREATE INDEX "catalog_products_price_idx" ON "catalog_products" USING btree ("org_id","price_min","id");--> statement-breakpoint
CREATE INDEX "catalog_products_status_idx" ON "catalog_products" USING btree ("org_id","status") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "catalog_products_vendor_idx" ON "catalog_products" USING btree ("org_id","vendor") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "catalog_products_type_idx" ON "catalog_products" USING btree ("org_id","product_type") WHERE deleted_at is null;