// Where to send the user after login. `next` comes from the URL, so anyone can craft it: only a
// path on this site is accepted, or a login link could bounce the user to a look-alike site.

export const HOME_PATH = '/dashboard';

export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return HOME_PATH;
  try {
    const base = 'http://invpro.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return HOME_PATH;
    // Going back to the login or register page after logging in would be a loop.
    if (url.pathname === '/login' || url.pathname === '/register') return HOME_PATH;
    return url.pathname + url.search + url.hash;
  } catch {
    return HOME_PATH;
  }
}

export function loginPath(next?: string): string {
  return next ? `/login?next=${encodeURIComponent(safeNextPath(next))}` : '/login';
}
