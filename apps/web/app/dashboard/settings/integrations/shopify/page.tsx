import type { Metadata } from 'next';
import { ShopifySettings } from './shopify-settings';

export const metadata: Metadata = { title: 'Shopify integration' };

export default function ShopifyIntegrationPage() {
  return <ShopifySettings />;
}
