import type { EncryptionKey } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { lockConnectionsOf, resealConnection } from './connections.queries.ts';
import { keyIdOf, open, seal } from './crypto.ts';
import { shopifyShopIndex } from './schema.ts';

const SEALED_COLUMNS = ['apiSecretEnc', 'accessTokenEnc', 'refreshTokenEnc'] as const;

export interface RotationReport {
  organizations: number;
  connections: number;
  secrets: number;
}

/**
 * Re-seal every stored Shopify secret under the newest key (the first of ENCRYPTION_KEY), so the
 * older keys can then be dropped from the configuration. Tenants are found through the shop index
 * (readable by design), and each is rewritten inside its own tenant scope: no RLS bypass.
 * Idempotent: secrets already under the newest key are left alone.
 */
export async function resealSecrets(db: Database, keys: EncryptionKey[]): Promise<RotationReport> {
  const newest = keys[0]!.id;
  const orgs = await withScope(db, {}, (tx) =>
    tx.selectDistinct({ orgId: shopifyShopIndex.orgId }).from(shopifyShopIndex),
  );
  const report: RotationReport = { organizations: 0, connections: 0, secrets: 0 };
  for (const { orgId } of orgs) {
    report.organizations++;
    await withTenant(db, orgId, async (tx) => {
      const rows = await lockConnectionsOf(tx, orgId);
      for (const row of rows) {
        const changes: Partial<Record<(typeof SEALED_COLUMNS)[number], string>> = {};
        for (const column of SEALED_COLUMNS) {
          const sealed = row[column];
          if (sealed && keyIdOf(sealed) !== newest) changes[column] = seal(keys, open(keys, sealed));
        }
        const count = Object.keys(changes).length;
        if (count === 0) continue;
        await resealConnection(tx, { orgId, id: row.id, sealed: changes });
        report.connections++;
        report.secrets += count;
      }
    });
  }
  return report;
}
