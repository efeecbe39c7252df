import type { Config } from '../config.ts';

/*
 * Sentry, only when SENTRY_DSN is set: without it @sentry/node is never imported. Nothing that may
 * hold a secret leaves the process: no request bodies, cookies, query strings or credential headers.
 */

/** Headers that may be sent: the rest (authorization, cookie, Shopify's HMAC, …) are dropped. */
const SAFE_HEADERS = new Set(['user-agent', 'content-type', 'content-length', 'accept', 'x-request-id', 'host']);

// A structural subset of Sentry's event: this module stays importable without the SDK.
interface ScrubbableEvent {
  request?: {
    url?: string;
    data?: unknown;
    cookies?: unknown;
    query_string?: unknown;
    headers?: Record<string, string>;
    env?: unknown;
  };
  user?: { id?: string | number };
  extra?: Record<string, unknown>;
  contexts?: Record<string, unknown>;
  breadcrumbs?: { category?: string; data?: Record<string, unknown> }[];
}

export function scrubEvent<E extends ScrubbableEvent>(event: E): E {
  const request = event.request;
  if (request) {
    delete request.data;
    delete request.cookies;
    delete request.query_string;
    delete request.env;
    if (request.url) request.url = request.url.split('?')[0]!;
    if (request.headers) {
      request.headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => SAFE_HEADERS.has(name.toLowerCase())),
      );
    }
  }
  // A user id is enough to find the account; the address and e-mail are personal data.
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  for (const crumb of event.breadcrumbs ?? []) {
    if (crumb.data && typeof crumb.data.url === 'string') crumb.data.url = crumb.data.url.split('?')[0];
    if (crumb.data) {
      delete crumb.data.body;
      delete crumb.data.headers;
    }
  }
  return event;
}

export interface ErrorReporter {
  capture(err: unknown, context?: Record<string, string | number | undefined>): void;
  flush(): Promise<unknown>;
}

/** Reports nothing: the process without SENTRY_DSN. */
export const NO_REPORTER: ErrorReporter = { capture() {}, flush: async () => true };

let active: ErrorReporter = NO_REPORTER;
/** The process's reporter: main.ts installs Sentry's when configured; the rest only calls this. */
export const reporter = (): ErrorReporter => active;

export async function initSentry(config: Config, role: string): Promise<ErrorReporter> {
  if (!config.sentry.dsn) return NO_REPORTER;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: config.sentry.dsn,
    environment: config.sentry.environment,
    serverName: role,
    sendDefaultPii: false,
    // Errors only: tracing would be a second metrics system beside Prometheus.
    tracesSampleRate: 0,
    defaultIntegrations: false,
    integrations: [Sentry.onUncaughtExceptionIntegration(), Sentry.onUnhandledRejectionIntegration()],
    beforeSend: (event) => scrubEvent(event as ScrubbableEvent) as typeof event,
    beforeBreadcrumb: (crumb) => scrubEvent({ breadcrumbs: [crumb] }).breadcrumbs![0]!,
  });
  Sentry.setTag('role', role);
  active = {
    capture(err, context) {
      Sentry.captureException(err, context ? { tags: context } : undefined);
    },
    flush: () => Sentry.flush(2000),
  };
  return active;
}
