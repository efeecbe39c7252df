'use client';

import { Anchor, AppShell, Box, Burger, Button, Container, Group, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { loginPath } from '../lib/redirects';
import { useLogout, useSession } from '../lib/session';
import { CurrentUserContext } from './current-user';
import classes from './dashboard-shell.module.css';
import { OrgSwitcher } from './org-switcher';
import { ErrorState, PageLoader } from './states';

const NAV = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/dashboard/products', label: 'Products' },
  { href: '/dashboard/locations', label: 'Locations' },
  { href: '/dashboard/settings/integrations/shopify', label: 'Stores' },
  { href: '/dashboard/settings/team', label: 'Team' },
  { href: '/dashboard/settings', label: 'Settings' },
] as const;

/** The one link that is current: the longest href the path is at or under (Settings holds Team and Stores). */
function activeHref(pathname: string): string | undefined {
  const matching = NAV.filter((item) =>
    item.href === '/dashboard'
      ? pathname === item.href
      : pathname === item.href || pathname.startsWith(`${item.href}/`),
  );
  return matching.sort((a, b) => b.href.length - a.href.length)[0]?.href;
}

/**
 * Everything under /dashboard: waits for the session, sends visitors without one to /login
 * (remembering where they were going), and frames the screens with the header and the sidebar.
 */
export function DashboardShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const session = useSession();
  const logout = useLogout();
  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const burger = useRef<HTMLButtonElement>(null);
  // Logging out empties the session too; that must land on plain /login, not on "come back here".
  const [leaving, setLeaving] = useState(false);

  useEffect(() => {
    if (session.data === null && !leaving) {
      router.replace(loginPath(window.location.pathname + window.location.search));
    }
  }, [session.data, leaving, router]);

  // A page reached any way (a link, back, a redirect) leaves the phone's drawer closed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path changing is the trigger.
  useEffect(() => closeNav(), [pathname, closeNav]);

  useEffect(() => {
    if (!navOpened) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      closeNav();
      burger.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navOpened, closeNav]);

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

  const current = activeHref(pathname);
  return (
    <CurrentUserContext value={user}>
      {/* A plain fragment link: the browser moves focus to the target itself (it is focusable,
          tabIndex -1), so the next Tab continues inside the page, past the navigation. */}
      <a href="#main-content" className={classes.skipLink}>
        Skip to content
      </a>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                ref={burger}
                opened={navOpened}
                onClick={toggleNav}
                hiddenFrom="sm"
                size="sm"
                aria-label={navOpened ? 'Close navigation' : 'Open navigation'}
                aria-expanded={navOpened}
                aria-controls="main-navigation"
              />
              <Anchor component={Link} href="/dashboard" underline="never" fw={800} c="indigo">
                InvPro360
              </Anchor>
            </Group>
            <Group gap="sm" wrap="nowrap">
              {/* On phones the switcher moves into the drawer: the header has no room for it. */}
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

        <AppShell.Navbar
          p="sm"
          component="nav"
          aria-label="Main"
          id="main-navigation"
          // On a phone the closed drawer is only moved off-screen: hidden as well (in CSS, so it
          // holds at once when the window narrows), or keyboards and screen readers would walk
          // through an invisible navigation.
          className={navOpened ? undefined : classes.closedOnPhone}
        >
          <Stack gap={4}>
            <Box hiddenFrom="sm">
              <Text size="sm" c="dimmed" px="sm">
                Logged in as <strong>{user.username}</strong>
              </Text>
              <Box px="sm" pb="sm">
                <OrgSwitcher user={user} width="100%" />
              </Box>
            </Box>
            {NAV.map((item) => (
              <NavLink
                key={item.href}
                component={Link}
                href={item.href}
                label={item.label}
                active={item.href === current}
                aria-current={item.href === current ? 'page' : undefined}
                onClick={closeNav}
              />
            ))}
          </Stack>
        </AppShell.Navbar>

        <AppShell.Main id="main-content" tabIndex={-1} className={classes.main}>
          <Container size="lg" py="md">
            {children}
          </Container>
        </AppShell.Main>
      </AppShell>
    </CurrentUserContext>
  );
}
