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
