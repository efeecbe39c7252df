import type { NextConfig } from 'next';

// Headers that cost nothing and close whole classes of attacks: no framing (clickjacking on the
// team page), no MIME sniffing, and no invitation token leaking through the Referer header. The
// Content-Security-Policy (with frame-ancestors 'none') is set per request by server.ts: it has a nonce.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

const nextConfig: NextConfig = {
  // API paths end with '/'; Next's default redirect would strip it before the proxy sees it.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  // The shared rules are TypeScript source (packages/contract), not a compiled package.
  transpilePackages: ['@invpro/contract'],
  reactStrictMode: true,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
