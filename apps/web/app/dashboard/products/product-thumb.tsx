import { Center, Image } from '@mantine/core';
import type { CatalogProduct } from '../../../lib/api-types';

/**
 * Shown where an image cannot be loaded (a CDN that is down or unreachable, an image deleted in
 * Shopify since the sync): a neutral box instead of the browser's broken-image icon.
 */
export const IMAGE_FALLBACK =
  "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><rect width='4' height='4' fill='%23f1f3f5'/></svg>";

/** The product's first image, or a neutral box of the same size so rows line up. */
export function ProductThumb({ image, size = 48 }: { image: CatalogProduct['image']; size?: number }) {
  if (!image) {
    return (
      <Center
        w={size}
        h={size}
        bg="var(--mantine-color-gray-1)"
        style={{ borderRadius: 'var(--mantine-radius-sm)', flexShrink: 0 }}
        aria-hidden="true"
      />
    );
  }
  return (
    <Image
      src={image.url}
      fallbackSrc={IMAGE_FALLBACK}
      alt={image.alt_text ?? ''}
      w={size}
      h={size}
      fit="cover"
      radius="sm"
      loading="lazy"
      style={{ flexShrink: 0 }}
    />
  );
}
