-- Trigram indexes make `?search=` a fast substring match at 100,000 products (title, SKUs, barcodes,
-- vendor, tags). pg_trgm is a trusted extension: a database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
