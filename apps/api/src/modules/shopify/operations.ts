// The Admin GraphQL operations this module sends (docs/shopify.md §2, validated against the 2026-10
// schema by operations.test.ts).

export const API_VERSION = '2026-10';

export const CONNECTION_TEST = /* GraphQL */ `
query ConnectionTest {
  shop {
    id name myshopifyDomain email currencyCode ianaTimezone weightUnit
    primaryDomain { host url }
    plan { publicDisplayName partnerDevelopment shopifyPlus }
  }
  currentAppInstallation { id accessScopes { handle } }
}`;

export interface ConnectionTestResult {
  shop: {
    id: string;
    name: string;
    myshopifyDomain: string;
    email: string | null;
    currencyCode: string;
    ianaTimezone: string;
    plan: { publicDisplayName: string; partnerDevelopment: boolean; shopifyPlus: boolean };
  };
  currentAppInstallation: { id: string; accessScopes: { handle: string }[] };
}

/**
 * Who is this token for? The cheapest authenticated call (cost 1): used to confirm an uninstall,
 * since only Shopify refusing our token proves the app is gone (webhook headers prove nothing).
 */
export const SHOP_IDENTITY = /* GraphQL */ `
  query ShopIdentity {
    shop {
      id
      myshopifyDomain
    }
  }
`;

export const WEBHOOK_SUBSCRIPTION_CREATE = /* GraphQL */ `
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri format apiVersion { handle } }
    userErrors { field message }
  }
}`;

export const WEBHOOK_SUBSCRIPTIONS = /* GraphQL */ `
query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri format filter createdAt updatedAt }
  }
}`;

export const WEBHOOK_SUBSCRIPTION_DELETE = /* GraphQL */ `
mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

export const WEBHOOK_TOPICS = [
  'PRODUCTS_CREATE',
  'PRODUCTS_UPDATE',
  'PRODUCTS_DELETE',
  'INVENTORY_LEVELS_UPDATE',
  'APP_UNINSTALLED',
  'BULK_OPERATIONS_FINISH',
] as const;
