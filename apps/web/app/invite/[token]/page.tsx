import type { Metadata } from 'next';
import { InvitationView } from './invitation-view';

export const metadata: Metadata = {
  title: 'Invitation',
  // The token in the URL is a credential: keep it out of search engines.
  robots: { index: false, follow: false },
};

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <InvitationView token={token} />;
}
