'use client';

import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { isTransient } from '../lib/api-client';
import { SessionSync } from '../lib/session';
import { cssVariablesResolver, theme } from './theme';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not change by asking again; a dropped connection or a 5xx might.
        retry: (failures, err) => isTransient(err) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser tab, created lazily so a server render never shares it between users.
  const [queryClient] = useState(makeQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      {/* Bottom: at the top they would cover the header's switcher and Log out button. */}
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <SessionSync>{children}</SessionSync>
      </QueryClientProvider>
    </MantineProvider>
  );
}
