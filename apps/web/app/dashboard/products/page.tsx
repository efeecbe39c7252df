import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageLoader } from '../../../components/states';
import { ProductsView } from './products-view';

export const metadata: Metadata = { title: 'Products' };

export default function ProductsPage() {
  // The view reads the query string, which Next only knows in the browser: without the boundary the
  // whole route would bail out of prerendering.
  return (
    <Suspense fallback={<PageLoader label="Loading products…" />}>
      <ProductsView />
    </Suspense>
  );
}
