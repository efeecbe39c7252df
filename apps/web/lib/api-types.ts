// The API contract as the web app sees it (snake_case, exactly as sent on the wire), named for the
// screens. Every type is derived from api-schema.ts, which `npm run contract` generates from the
// API's routes: a route's schema changes, and the code that reads it stops compiling. Do not
// write a shape by hand here; make the API's schema say it (decision 0012).

import type { components, paths } from './api-schema';

type Schemas = components['schemas'];

/** The JSON a route answers with `status`. */
type Answer<
  Path extends keyof paths,
  Method extends keyof paths[Path],
  Status extends number,
> = paths[Path][Method] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The JSON a route takes as its body. */
type RequestBody<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

export type User = Schemas['User'];
export type Role = User['role'];
export type OrganizationRef = User['organization'];
export type Membership = User['organizations'][number];

/** What login, register, switch-organization and accept-invitation answer. */
export type AuthResponse = Schemas['Session'];

export type TokenPair = Answer<'/api/token/refresh/', 'post', 200>;

/** The `{count, next, previous, results}` envelope of every list. */
export type Page<T> = Omit<Answer<'/api/team/members/', 'get', 200>, 'results'> & { results: T[] };

export type Member = Schemas['Member'];

/** What the settings hub's profile form sends: the new email and/or username, and the password. */
export type ProfileChange = RequestBody<'/api/auth/me/', 'patch'>;
export type Organization = Schemas['Organization'];

/**
 * `invitation_url` is the link to send. The API stores only a hash of the token, so a list may not
 * be able to rebuild it: the answer to the creating POST always has it (with `token`).
 */
export type Invitation = Schemas['Invitation'];

/** The public view of an invitation, readable without logging in. */
export type InvitationPreview = Answer<'/api/auth/invitations/{token}/', 'get', 200>;

/** A message the API kept in the organization's outbox instead of sending it (no SMTP_URL). */
export type OutboxMessageSummary = Schemas['OutboxMessageSummary'];
export type OutboxMessage = Schemas['OutboxMessage'];
/** The outbox list: a page plus how this server delivers mail (`smtp` keeps nothing). */
export type OutboxPage = Answer<'/api/mail/outbox/', 'get', 200>;

/** RFC 9457 problem details, plus per-field validation messages. */
export type Problem = Schemas['Problem'];

/** One store connection. Secrets never leave the API: only their last characters (`*_hint`). */
export type ShopifyConnection = Schemas['ShopifyConnection'];
export type ShopifyConnectionState = ShopifyConnection['state'];
export type ShopifyAuthMethod = ShopifyConnection['auth_method'];
export type ShopifyWebhookState = ShopifyConnection['webhooks']['state'];

/** The organization's stores; the top-level fields summarise the first one (older clients). */
export type ShopifyStatus = Answer<'/api/shopify/status/', 'get', 200>;

/** Without `access_token`, the API uses the client-credentials grant of a Dev Dashboard app. */
export type ShopifyConnectInput = RequestBody<'/api/shopify/connect/', 'post'>;

export type ShopifyOauthInstall = Schemas['ShopifyOauthInstall'];

/** A product of a store's copy, as the list shows it. */
export type CatalogProduct = Schemas['CatalogProduct'];
export type ProductStatus = CatalogProduct['status'];
/** One product with its options, images (in position order), variants and per-location stock. */
export type CatalogProductDetail = Schemas['CatalogProductDetail'];
export type CatalogVariant = Schemas['CatalogVariant'];
export type CatalogQuantities = Schemas['CatalogQuantities'];

/** A store's location with its live product count and the sums of every quantity name stocked there. */
export type CatalogLocation = Schemas['CatalogLocation'];
/** One sync run: its state, phase, progress, counts, cost and errors. */
export type SyncRun = Schemas['SyncRun'];
/** A store's sync summary: last run, next scheduled one, freshness, the copy's size. */
export type StoreSync = Schemas['StoreSync'];
/**
 * A `progress` event of GET /api/shopify/sync/runs/{id}/events/. The stream's schema can only say
 * "text/event-stream", so its two extra fields are named here, as the route describes them.
 */
export type SyncProgress = SyncRun & { rate: number; eta_seconds: number | null };
/** A store as the status lists it: its connection and its sync summary. */
export type ShopifyStore = ShopifyStatus['stores'][number];
