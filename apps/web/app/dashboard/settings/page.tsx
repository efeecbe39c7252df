import type { Metadata } from 'next';
import { SettingsHub } from './settings-hub';

export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  return <SettingsHub />;
}
