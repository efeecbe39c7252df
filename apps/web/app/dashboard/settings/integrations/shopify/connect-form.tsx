'use client';

import { normalizeShopDomain, REQUIRED_SCOPES } from '@invpro/contract';
import {
  Alert,
  Button,
  Code,
  Divider,
  Grid,
  Group,
  List,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { visibilityToggleProps } from '../../../../../components/password-field';
import type { ShopifyConnection } from '../../../../../lib/api-types';
import { applyApiErrors } from '../../../../../lib/form-errors';
import { useConnectStore, useStartOauthInstall } from '../../../../../lib/shopify';

/**
 * OAuth install: the shop's address, then the browser goes to Shopify to approve our app and comes
 * back to this page (see ShopifySettings for the outcome).
 */
function InstallWithShopify() {
  const start = useStartOauthInstall();
  const [alert, setAlert] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { shop: '' },
    validate: {
      shop: (v) => {
        if (!v.trim()) return 'Enter the store address, e.g. acme.myshopify.com.';
        return normalizeShopDomain(v).valid
          ? null
          : 'Enter your store’s myshopify.com address, e.g. acme.myshopify.com.';
      },
    },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const { authorize_url } = await start.mutateAsync(values.shop.trim());
      setLeaving(true);
      window.location.assign(authorize_url);
    } catch (err) {
      setAlert(applyApiErrors(form, err));
    }
  });

  // Coming back with the browser's Back button restores this page from cache: stop the spinner.
  useEffect(() => {
    const restored = (event: PageTransitionEvent) => {
      if (event.persisted) setLeaving(false);
    };
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);

  return (
    <form onSubmit={submit} noValidate aria-labelledby="install-title">
      <Stack gap="xs">
        <Text fw={600} size="sm" id="install-title">
          Install our app from Shopify
        </Text>
        <Text size="sm" c="dimmed">
          Shopify asks you to approve the permissions, then brings you back here. No keys to copy.
        </Text>
        {alert && (
          <Alert color="red" variant="light" role="alert" title="The install could not start">
            {alert}
          </Alert>
        )}
        <Group align="flex-start" gap="sm">
          <TextInput
            aria-label="Store address for the install"
            placeholder="acme.myshopify.com"
            autoComplete="off"
            spellCheck={false}
            style={{ flex: 1, minWidth: 220 }}
            key={form.key('shop')}
            {...form.getInputProps('shop')}
          />
          <Button type="submit" variant="default" loading={start.isPending || leaving}>
            Install with Shopify
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * Connects a store with its app's credentials. `reconnect`: a listed store whose connection broke
 * (uninstalled, refused, disconnected); the form comes pre-filled with what is stored of it that is
 * not secret (its domain and API key), and connecting repairs that same connection. Secrets and
 * tokens are never pre-filled: the user pastes fresh ones.
 */
export function ConnectForm({
  orgId,
  oauthAvailable,
  reconnect = null,
  focusRequest = 0,
  onDone,
}: {
  orgId: string;
  oauthAvailable: boolean;
  reconnect?: ShopifyConnection | null;
  /** Changes on every opening: focus then moves into the form. */
  focusRequest?: number;
  /** Called after a successful connect or on Cancel; without it the form stays (and has no Cancel). */
  onDone?: (() => void) | undefined;
}) {
  const connect = useConnectStore(orgId);
  const [alert, setAlert] = useState<string | null>(null);
  const storeUrlRef = useRef<HTMLInputElement>(null);
  const apiSecretRef = useRef<HTMLInputElement>(null);
  const accessTokenRef = useRef<HTMLInputElement>(null);
  // A store being reconnected whose secret is still stored (an uninstall keeps it): it may stay.
  const storedSecretHint = reconnect?.api_secret_hint ?? null;
  const keepsSecret = useRef(false);
  keepsSecret.current = storedSecretHint !== null;

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { store_url: '', api_key: '', api_secret: '', access_token: '' },
    validate: {
      store_url: (v) => {
        if (!v.trim()) return 'Enter the store URL, e.g. acme.myshopify.com.';
        return normalizeShopDomain(v).valid
          ? null
          : 'Enter your store’s myshopify.com address, e.g. acme.myshopify.com.';
      },
      api_key: (v) => (v.trim() ? null : 'Enter the API key.'),
      api_secret: (v) => (v.trim() || keepsSecret.current ? null : 'Enter the API secret.'),
    },
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs per opening (focusRequest), not per render of the form.
  useEffect(() => {
    setAlert(null);
    form.setValues({
      store_url: reconnect?.shop_domain ?? '',
      api_key: reconnect?.api_key ?? '',
      api_secret: '',
      access_token: '',
    });
    form.clearErrors();
    if (focusRequest === 0) return;
    // After the pre-filled inputs have rendered: the first field the user has to type in.
    const first = !reconnect ? storeUrlRef : reconnect.api_secret_hint ? accessTokenRef : apiSecretRef;
    const frame = requestAnimationFrame(() => first.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [focusRequest, reconnect?.id]);

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    const accessToken = values.access_token.trim();
    const apiSecret = values.api_secret.trim();
    try {
      const store = await connect.mutateAsync({
        store_url: values.store_url.trim(),
        api_key: values.api_key.trim(),
        ...(apiSecret ? { api_secret: apiSecret } : {}),
        ...(accessToken ? { access_token: accessToken } : {}),
      });
      // Secrets do not linger in the page once they are stored.
      form.reset();
      notifications.show({
        color: 'teal',
        title: `${store.shop_name ?? store.shop_domain} is ${reconnect ? 'connected again' : 'connected'}`,
        message: 'The credentials work and were stored encrypted. A sync has started: follow it on the store’s card.',
      });
      onDone?.();
    } catch (err) {
      setAlert(applyApiErrors(form, err, {}, { keepDetail: true }));
    }
  });

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="connect-title" id="connect-form">
      <Title order={2} fz="h3" id="connect-title" mb={4}>
        {reconnect ? `Reconnect ${reconnect.shop_name ?? reconnect.shop_domain}` : 'Connect a store'}
      </Title>
      <Text size="sm" c="dimmed" mb="lg">
        {reconnect
          ? 'Paste a fresh Admin API access token (reinstalling the app in Shopify gives a new one). The store keeps its id and the products synced from it; a sync brings them up to date once it is connected.'
          : 'The connection is tested with Shopify before anything is saved. Connecting a store that is already listed replaces its credentials. Its first sync starts once it is connected.'}
      </Text>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            {oauthAvailable && !reconnect && (
              <>
                <InstallWithShopify />
                <Divider label="or connect with your app’s credentials" labelPosition="left" />
              </>
            )}
            {alert && (
              <Alert color="red" variant="light" role="alert" title="The store was not connected">
                {alert}
              </Alert>
            )}
            <form onSubmit={submit} noValidate aria-labelledby="connect-title">
              <Stack gap="md">
                <TextInput
                  label="Store URL"
                  placeholder="acme.myshopify.com"
                  description="Your store’s myshopify.com address, as shown in Shopify admin → Settings → Domains."
                  required
                  autoComplete="off"
                  spellCheck={false}
                  key={form.key('store_url')}
                  {...form.getInputProps('store_url')}
                  ref={storeUrlRef}
                />
                <TextInput
                  label="API Key"
                  required
                  autoComplete="off"
                  spellCheck={false}
                  key={form.key('api_key')}
                  {...form.getInputProps('api_key')}
                />
                <PasswordInput
                  {...visibilityToggleProps}
                  label="API Secret"
                  required={storedSecretHint === null}
                  description={
                    storedSecretHint
                      ? `Leave empty to keep the stored secret (${storedSecretHint}) of this API key.`
                      : undefined
                  }
                  autoComplete="new-password"
                  key={form.key('api_secret')}
                  {...form.getInputProps('api_secret')}
                  ref={apiSecretRef}
                />
                <PasswordInput
                  {...visibilityToggleProps}
                  label="Access Token"
                  description="Optional. Leave empty for Dev Dashboard apps using client credentials: the API key and secret are then enough."
                  placeholder="shpat_…"
                  autoComplete="new-password"
                  key={form.key('access_token')}
                  {...form.getInputProps('access_token')}
                  ref={accessTokenRef}
                />
                <Group>
                  <Button type="submit" loading={connect.isPending}>
                    {reconnect ? 'Reconnect' : 'Connect'}
                  </Button>
                  {onDone && (
                    <Button variant="default" onClick={onDone} disabled={connect.isPending}>
                      Cancel
                    </Button>
                  )}
                </Group>
              </Stack>
            </form>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper bg="var(--mantine-color-gray-0)" p="md" radius="md" component="aside" aria-labelledby="connect-help">
            <Text fw={600} size="sm" mb="xs" id="connect-help">
              Where to find these
            </Text>
            <List type="ordered" size="sm" spacing="xs">
              <List.Item>
                In Shopify admin, open <strong>Settings → Apps → Develop apps</strong> (or the Dev Dashboard) and create
                an app for InvPro360.
              </List.Item>
              <List.Item>
                Grant it the Admin API scopes{' '}
                {REQUIRED_SCOPES.map((scope, i) => (
                  <span key={scope}>
                    <Code>{scope}</Code>
                    {i < REQUIRED_SCOPES.length - 1 ? ' ' : ''}
                  </span>
                ))}
                .
              </List.Item>
              <List.Item>
                Install the app, then copy its API key and secret, and the Admin API access token (it starts with{' '}
                <Code>shpat_</Code>) if Shopify shows one.
              </List.Item>
            </List>
            <Text size="xs" c="dimmed" mt="md">
              Secrets are encrypted before they are stored; afterwards only their last characters are shown.
            </Text>
          </Paper>
        </Grid.Col>
      </Grid>
    </Paper>
  );
}
