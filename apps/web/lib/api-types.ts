// The API contract as the web app sees it (snake_case, exactly as sent on the wire).

export type Role = 'owner' | 'admin' | 'member';

export interface OrganizationRef {
  id: string;
  name: string;
}

export interface Membership extends OrganizationRef {
  role: Role;
}

export interface User {
  id: string;
  email: string;
  username: string;
  organization: OrganizationRef;
  role: Role;
  organizations: Membership[];
}

/** What login, register, switch-organization and accept-invitation answer. */
export interface AuthResponse {
  access: string;
  refresh: string;
  user: User;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Member {
  user_id: string;
  email: string;
  username: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  created_at: string;
  expires_at: string;
  /**
   * The link to send. The API stores only a hash of the token, so a list may not be able to
   * rebuild it: the answer to the creating POST always has it (with `token`).
   */
  invitation_url?: string;
  token?: string;
}

/** The public view of an invitation, readable without logging in. */
export interface InvitationPreview {
  organization: OrganizationRef;
  email: string;
  role: Role;
  expires_at: string;
}

/** RFC 9457 problem details, plus per-field validation messages. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

export type ShopifyConnectionState = 'connected' | 'error' | 'uninstalled' | 'disconnected';
export type ShopifyAuthMethod = 'access_token' | 'client_credentials' | 'oauth';
export type ShopifyWebhookState = 'not_configured' | 'registered' | 'partial' | 'failed';

/** One store connection. Secrets never leave the API: only their last characters (`*_hint`). */
export interface ShopifyConnection {
  id: string;
  shop_domain: string;
  store_url: string;
  state: ShopifyConnectionState;
  auth_method: ShopifyAuthMethod;
  shop_name: string | null;
  plan: string | null;
  currency: string | null;
  timezone: string | null;
  scopes: string[];
  api_key: string | null;
  api_secret_hint: string | null;
  access_token_hint: string | null;
  token_expires_at: string | null;
  error_count: number;
  last_error: string | null;
  last_error_at: string | null;
  last_checked_at: string | null;
  webhooks: { state: ShopifyWebhookState; error: string | null; topics: string[] };
  created_at: string;
  updated_at: string;
}

/** The organization's stores; the top-level fields summarise the first one (older clients). */
export interface ShopifyStatus {
  connected: boolean;
  store_url: string | null;
  shop_name: string | null;
  state: string;
  last_error: string | null;
  /** Whether the public app's OAuth install is configured on the server. */
  oauth_available: boolean;
  stores: ShopifyConnection[];
}

export interface ShopifyConnectInput {
  store_url: string;
  api_key: string;
  api_secret: string;
  /** Absent: the API uses the client-credentials grant of a Dev Dashboard app. */
  access_token?: string;
}
