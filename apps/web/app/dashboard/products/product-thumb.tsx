import { Center, Image } from '@mantine/core';
import type { CatalogProduct } from '../../../lib/api-types';

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
