import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane. */
// `Algorithm` is a const enum, which erasable-syntax TypeScript cannot import: 2 is Argon2id.
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

const commonPasswords = new Set(common.dictionary['passwords-common'].map((p) => p.toLowerCase()));

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the account does not exist, so that an
 * unknown email costs the same time as a wrong password and timing cannot reveal accounts.
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(`decoy-${crypto.randomUUID()}`);
  return decoyHash;
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

/** Returns the reasons a password is refused, empty when it is acceptable. */
export function passwordProblems(password: string, user: { email?: string; username?: string }): string[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (/^\d+$/.test(password)) problems.push('The password cannot be entirely numeric.');
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) problems.push('This password is too common.');

  const attributes = [user.username, user.email, user.email?.split('@')[0]]
    .filter((v): v is string => !!v && v.length >= 3)
    .map((v) => v.toLowerCase());
  const tooSimilar = attributes.some((attribute) => {
    const shared = longestCommonSubstring(lower, attribute);
    return (
      lower.includes(attribute) ||
      attribute.includes(lower) ||
      shared >= Math.max(4, Math.min(attribute.length, lower.length) * 0.6) ||
      (similarity(lower, attribute) >= 0.7 && shared >= 3)
    );
  });
  if (tooSimilar) problems.push('The password is too similar to the email or username.');

  if (problems.length === 0 && password.length <= 100) {
    const result = zxcvbn.check(password, attributes);
    if (result.score < 2) {
      problems.push(result.feedback.warning ?? 'This password is too easy to guess. Add more words or characters.');
    }
  }
  return problems;
}
