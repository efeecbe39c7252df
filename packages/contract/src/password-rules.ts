// The password rules both apps apply without a dictionary: the API refuses by them
// (apps/api/src/modules/accounts/passwords.ts), the web's meter shows them as the person types.
// "Not common" and the guessability score need zxcvbn's dictionaries, which each app loads itself.

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export interface PasswordOwner {
  email?: string | undefined;
  username?: string | undefined;
}

/** The names a password must not resemble: username, email and the email's local part (3+ characters). */
export function personalAttributes(user: PasswordOwner): string[] {
  return [user.username, user.email, user.email?.split('@')[0]]
    .filter((v): v is string => !!v && v.length >= 3)
    .map((v) => v.toLowerCase());
}

/** Ratio of matching characters, like Django's UserAttributeSimilarityValidator (difflib quick ratio). */
function similarity(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const ch of b) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of a) {
    const n = counts.get(ch) ?? 0;
    if (n > 0) {
      matches++;
      counts.set(ch, n - 1);
    }
  }
  return (2 * matches) / (a.length + b.length);
}

function longestCommonSubstring(a: string, b: string): number {
  let best = 0;
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : 0;
      best = Math.max(best, prev[j]!);
      diagonal = above;
    }
  }
  return best;
}

export function tooSimilarToOwner(password: string, user: PasswordOwner): boolean {
  const lower = password.toLowerCase();
  return personalAttributes(user).some((attribute) => {
    const shared = longestCommonSubstring(lower, attribute);
    return (
      lower.includes(attribute) ||
      attribute.includes(lower) ||
      shared >= Math.max(4, Math.min(attribute.length, lower.length) * 0.6) ||
      (similarity(lower, attribute) >= 0.7 && shared >= 3)
    );
  });
}

export const PASSWORD_RULE_TEXT = {
  length: `At least ${MIN_PASSWORD_LENGTH} characters`,
  numeric: 'Not only digits',
  common: 'Not a common password',
  personal: 'Not like your email or username',
} as const;

/** The dictionary-free rules, each passed or not (the meter's checklist). */
export function dictionaryFreeChecks(password: string, user: PasswordOwner) {
  return {
    length: password.length >= MIN_PASSWORD_LENGTH && password.length <= MAX_PASSWORD_LENGTH,
    numeric: password.length > 0 && !/^\d+$/.test(password),
    personal: password.length > 0 && !tooSimilarToOwner(password, user),
  };
}
