import { formatDate } from '../lib/invitations';
import { formatRelative } from '../lib/shopify';

/** A moment as "3 minutes ago", with the exact date for machines and on hover. */
export function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
