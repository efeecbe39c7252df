'use client';

import { dictionaryFreeChecks, MAX_PASSWORD_LENGTH, PASSWORD_RULE_TEXT, type PasswordOwner } from '@invpro/contract';
import { List, PasswordInput, type PasswordInputProps, Progress, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useState } from 'react';

/**
 * Mantine's show/hide button has tabIndex -1: a keyboard user could not reveal what they typed.
 * Every PasswordInput of the app spreads these.
 */
export const visibilityToggleProps = {
  visibilityToggleButtonProps: { tabIndex: 0, 'aria-label': 'Show or hide the password' },
} satisfies Partial<PasswordInputProps>;

interface Strength {
  /** zxcvbn's 0–4. */
  score: number;
  common: boolean;
  warning: string | null;
}

type Estimator = (password: string, userInputs: string[]) => Strength;

/**
 * zxcvbn and its dictionaries are large: loaded once, on the first page that shows a meter,
 * after the page itself. The same dictionaries the API refuses by (passwords.ts).
 */
let estimator: Promise<Estimator> | undefined;
function loadEstimator(): Promise<Estimator> {
  estimator ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, english]) => {
    const zxcvbn = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
    });
    const commonPasswords = new Set(common.dictionary['passwords-common'].map((p: string) => p.toLowerCase()));
    return (password, userInputs) => {
      const result = zxcvbn.check(password.slice(0, 100), userInputs);
      return {
        score: result.score,
        common: commonPasswords.has(password.toLowerCase()),
        warning: result.feedback.warning ?? null,
      };
    };
  });
  return estimator;
}

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
const COLORS = ['red', 'red', 'yellow', 'teal', 'green'];

export interface PasswordFieldProps extends Omit<PasswordInputProps, 'value' | 'onChange'> {
  value: string;
  onChange: (value: string) => void;
  /** Whose password it is: it must not look like their email or username. */
  owner: PasswordOwner;
}

/** A new password: the input, a strength meter, and the rules the API applies, checked as one types. */
export function PasswordField({ value, onChange, owner, ...props }: PasswordFieldProps) {
  const [estimate, setEstimate] = useState<Estimator | null>(null);
  useEffect(() => {
    let live = true;
    void loadEstimator().then((e) => {
      if (live) setEstimate(() => e);
    });
    return () => {
      live = false;
    };
  }, []);

  const checks = dictionaryFreeChecks(value, owner);
  const userInputs = [owner.email, owner.username, owner.email?.split('@')[0]].filter((v): v is string => !!v);
  // A reset link does not say whose account it is: the server checks that rule when it is saved.
  const ownerKnown = userInputs.length > 0;
  const strength = estimate && value ? estimate(value, userInputs) : null;
  const rules: { key: keyof typeof PASSWORD_RULE_TEXT; ok: boolean | null }[] = [
    { key: 'length', ok: checks.length },
    { key: 'numeric', ok: checks.numeric },
    { key: 'common', ok: value ? (strength ? !strength.common : null) : false },
    { key: 'personal', ok: ownerKnown ? checks.personal : null },
  ];
  const score = strength?.score ?? 0;
  const acceptable = rules.every((r) => r.ok !== false) && score >= 2;

  return (
    <Stack gap={6}>
      <PasswordInput
        {...visibilityToggleProps}
        {...props}
        maxLength={MAX_PASSWORD_LENGTH}
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
      <Progress
        value={value ? ((score + 1) / 5) * 100 : 0}
        color={COLORS[score]}
        size="sm"
        aria-label="Password strength"
        data-testid="password-strength"
      />
      <Text size="xs" c="dimmed" aria-live="polite" data-testid="password-strength-label">
        {value
          ? `Strength: ${strength ? LABELS[score] : 'checking…'}${acceptable ? '' : strength?.warning ? ` — ${strength.warning}` : ''}`
          : 'Strength: type a password'}
      </Text>
      <List size="xs" spacing={2} aria-label="Password rules">
        {rules.map((rule) => (
          <List.Item
            key={rule.key}
            c={rule.ok ? 'teal' : 'dimmed'}
            data-ok={rule.ok === null ? 'unknown' : String(rule.ok)}
            icon={<span aria-hidden="true">{rule.ok ? '✓' : rule.ok === null ? '·' : '○'}</span>}
          >
            {PASSWORD_RULE_TEXT[rule.key]}
            {rule.ok === null && rule.key === 'personal' ? ' (checked when you save)' : ''}
            <VisuallyHidden>{rule.ok ? ' (met)' : rule.ok === null ? '' : ' (not met yet)'}</VisuallyHidden>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
