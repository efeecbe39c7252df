import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageLoader } from '../../components/states';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Log in' };

export default function LoginPage() {
  // The form reads ?next=, which is only known in the browser for a prerendered page.
  return (
    <Suspense fallback={<PageLoader label="Loading…" fullScreen />}>
      <LoginForm />
    </Suspense>
  );
}
