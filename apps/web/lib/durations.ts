import { formatDistance } from 'date-fns';

/**
 * "about 2 minutes", "less than 20 seconds": a span in words. People read "about 15 minutes" at
 * a glance; "895 seconds" they have to work out. Every duration the app shows goes through here.
 */
export function durationWords(ms: number): string {
  return formatDistance(0, Math.max(0, ms), { includeSeconds: true });
}
