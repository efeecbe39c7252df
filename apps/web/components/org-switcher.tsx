'use client';

import { Select, type SelectProps } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../lib/api-client';
import type { User } from '../lib/api-types';
import { useSwitchOrganization } from '../lib/session';

/** Which organization the session acts for; switching swaps the tokens for ones scoped to it. */
export function OrgSwitcher({ user, width = { sm: 180, md: 220 } }: { user: User; width?: SelectProps['w'] }) {
  const switchOrg = useSwitchOrganization();
  const data = user.organizations.map((org) => ({ value: org.id, label: org.name }));
  // The active one is always listed, even if the memberships list lags behind.
  if (!data.some((o) => o.value === user.organization.id)) {
    data.unshift({ value: user.organization.id, label: user.organization.name });
  }

  return (
    <Select
      aria-label="Active organization"
      data={data}
      value={user.organization.id}
      allowDeselect={false}
      disabled={switchOrg.isPending}
      w={width}
      comboboxProps={{ withinPortal: true }}
      onChange={(id) => {
        if (!id || id === user.organization.id) return;
        switchOrg.mutate(id, {
          onSuccess: (res) =>
            notifications.show({ color: 'teal', message: `You are now working in ${res.user.organization.name}.` }),
          onError: (err) =>
            notifications.show({ color: 'red', title: 'Could not switch organization', message: errorMessage(err) }),
        });
      }}
    />
  );
}
