import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, personalAttributes, tooSimilarToOwner } from '@invpro/contract';
import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane. */
// `Algorithm` is a const enum, which erasable-syntax TypeScript cannot import: 2 is Argon2id.
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

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

/** Returns the reasons a password is refused, empty when it is acceptable. */
export function passwordProblems(password: string, user: { email?: string; username?: string }): string[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (/^\d+$/.test(password)) problems.push('The password cannot be entirely numeric.');
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) problems.push('This password is too common.');

  const attributes = personalAttributes(user);
  if (tooSimilarToOwner(password, user)) problems.push('The password is too similar to the email or username.');

  if (problems.length === 0 && password.length <= 100) {
    const result = zxcvbn.check(password, attributes);
    if (result.score < 2) {
      problems.push(result.feedback.warning ?? 'This password is too easy to guess. Add more words or characters.');
    }
  }
  return problems;
}
