'use client';

import { Anchor, AppShell, Box, Burger, Button, Container, Group, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { loginPath } from '../lib/redirects';
import { useLogout, useSession } from '../lib/session';
import { CurrentUserContext } from './current-user';
import { OrgSwitcher } from './org-switcher';
import { ErrorState, PageLoader } from './states';

const NAV = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/dashboard/products', label: 'Products' },
  { href: '/dashboard/locations', label: 'Locations' },
  { href: '/dashboard/settings/team', label: 'Team' },
  { href: '/dashboard/settings/integrations/shopify', label: 'Shopify' },
] as const;

function isActive(pathname: string, href: string): boolean {
  return href === '/dashboard' ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * Everything under /dashboard: waits for the session, sends visitors without one to /login
 * (remembering where they were going), and frames the screens with the header.
 */
export function DashboardShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const session = useSession();
  const logout = useLogout();
  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  // Logging out empties the session too; that must land on plain /login, not on "come back here".
  const [leaving, setLeaving] = useState(false);

  useEffect(() => {
    if (session.data === null && !leaving) {
      router.replace(loginPath(window.location.pathname + window.location.search));
    }
  }, [session.data, leaving, router]);

  if (session.isPending) return <PageLoader label="Loading your workspace…" fullScreen />;
  if (session.data === undefined) {
    return (
      <Container size="sm" py="xl">
        <ErrorState
          error={session.error}
          title="Could not load your session"
          onRetry={() => void session.refetch()}
          retrying={session.isFetching}
        />
      </Container>
    );
  }
  if (session.data === null) {
    return <PageLoader label={leaving ? 'Logging out…' : 'Redirecting to login…'} fullScreen />;
  }
  const user = session.data;

  const onLogout = () => {
    setLeaving(true);
    logout.mutate(undefined, {
      onSuccess: (revoked) => {
        if (!revoked) {
          notifications.show({
            color: 'yellow',
            title: 'Logged out on this device only',
            message: 'The server could not be reached to end the session everywhere. Log out again later.',
          });
        }
        router.replace('/login');
      },
    });
  };

  const links = NAV.map((item) => {
    const active = isActive(pathname, item.href);
    return { ...item, active };
  });

  return (
    <CurrentUserContext value={user}>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpened, desktop: true } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="lg" wrap="nowrap">
              <Burger opened={navOpened} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
              <Anchor component={Link} href="/dashboard" underline="never" fw={800} c="indigo">
                InvPro360
              </Anchor>
              <Group component="nav" aria-label="Main" gap={4} visibleFrom="sm" wrap="nowrap">
                {links.map((item) => (
                  <Button
                    key={item.href}
                    component={Link}
                    href={item.href}
                    variant={item.active ? 'light' : 'subtle'}
                    color={item.active ? 'indigo' : 'gray'}
                    aria-current={item.active ? 'page' : undefined}
                    size="compact-md"
                  >
                    {item.label}
                  </Button>
                ))}
              </Group>
            </Group>
            <Group gap="sm" wrap="nowrap">
              {/* On phones the switcher moves into the menu: the header has no room for it. */}
              <Group visibleFrom="sm">
                <OrgSwitcher user={user} />
              </Group>
              <Text size="sm" fw={500} visibleFrom="md" maw={160} truncate="end" data-testid="current-username">
                {user.username}
              </Text>
              <Button variant="default" size="compact-md" onClick={onLogout} loading={logout.isPending}>
                Log out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>

        <AppShell.Navbar p="sm" component="nav" aria-label="Main" hiddenFrom="sm">
          {/* Only mounted while open: a collapsed navbar is merely moved off-screen and would
              leave a second, invisible copy of the nav and switcher for keyboards and screen readers. */}
          {navOpened && (
            <Stack gap={4}>
              <Text size="sm" c="dimmed" px="sm">
                Logged in as <strong>{user.username}</strong>
              </Text>
              <Box px="sm" pb="sm">
                <OrgSwitcher user={user} width="100%" />
              </Box>
              {links.map((item) => (
                <NavLink
                  key={item.href}
                  component={Link}
                  href={item.href}
                  label={item.label}
                  active={item.active}
                  aria-current={item.active ? 'page' : undefined}
                  onClick={closeNav}
                />
              ))}
            </Stack>
          )}
        </AppShell.Navbar>

        <AppShell.Main>
          <Container size="lg" py="md">
            {children}
          </Container>
        </AppShell.Main>
      </AppShell>
    </CurrentUserContext>
  );
}
