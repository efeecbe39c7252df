// The web app's connect forms check an address with this before asking the API, and the API
// refuses with it: one rule, so the form never accepts what the API would refuse, nor the reverse.

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export type ShopDomainResult = { valid: true; domain: string } | { valid: false; reason: string };

const EXPECTED =
  'Enter your store’s myshopify.com address, e.g. "acme.myshopify.com" (find it in Shopify admin → Settings → Domains).';

/**
 * `https://Acme.myshopify.com/admin` → `acme.myshopify.com`. Anything that is not a
 * `*.myshopify.com` shop is refused, so no request can be steered to another host (SSRF).
 */
export function normalizeShopDomain(input: string): ShopDomainResult {
  let value = input.trim().toLowerCase();
  if (!value) return { valid: false, reason: EXPECTED };
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(value)) value = `https://${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { valid: false, reason: EXPECTED };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { valid: false, reason: EXPECTED };
  if (url.username || url.password || url.port)
    return { valid: false, reason: `${EXPECTED} Credentials and ports are not allowed.` };
  const host = url.hostname;
  if (!SHOP.test(host)) {
    return { valid: false, reason: `"${host}" is not a Shopify store address. ${EXPECTED}` };
  }
  return { valid: true, domain: host };
}
