import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageLoader } from '../../components/states';
import { RegisterForm } from './register-form';

export const metadata: Metadata = { title: 'Create an account' };

export default function RegisterPage() {
  return (
    <Suspense fallback={<PageLoader label="Loading…" fullScreen />}>
      <RegisterForm />
    </Suspense>
  );
}
