import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';

import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from '../components/providers';

export const metadata: Metadata = {
  title: { default: 'InvPro360', template: '%s · InvPro360' },
  description: 'Inventory management for Shopify merchants',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The CSP nonce server.ts made for this request (it also makes every page render per request,
  // which a nonce needs: a page built ahead would carry no nonce and its scripts would be blocked).
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" nonce={nonce} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
