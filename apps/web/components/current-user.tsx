'use client';

import { createContext, useContext } from 'react';
import type { User } from '../lib/api-types';

// Set by the dashboard shell once the session is known, so screens below it never handle
// "no user": the shell has already redirected those visits to /login.
export const CurrentUserContext = createContext<User | null>(null);

export function useCurrentUser(): User {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser must be used inside the dashboard shell');
  return user;
}

export function canManageTeam(user: User): boolean {
  return user.role === 'owner' || user.role === 'admin';
}
