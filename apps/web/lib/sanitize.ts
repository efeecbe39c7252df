import DOMPurify from 'dompurify';

/**
 * A product description from Shopify, made safe to render: merchants (and apps acting for them)
 * write this HTML, so scripts, event handlers, javascript: links, forms and inline styles go.
 * Without a DOM (on the server) DOMPurify cannot sanitise and would hand the input back as it
 * came, so there the answer is empty rather than unsafe.
 */
export function sanitizeDescription(html: string): string {
  if (typeof window === 'undefined' || !DOMPurify.isSupported) return '';
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style'],
  });
}
