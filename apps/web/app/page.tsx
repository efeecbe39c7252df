import { redirect } from 'next/navigation';
import { HOME_PATH } from '../lib/redirects';

// The dashboard decides between the workspace and the login page; the root has nothing of its own.
export default function Home() {
  redirect(HOME_PATH);
}
