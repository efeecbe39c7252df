import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.ts';

const user = { email: 'ada.lovelace@example.com', username: 'adalovelace' };

describe('password rules', () => {
  it('accepts a long, unrelated passphrase', () => {
    expect(passwordProblems('violet-harbour-tractor-91', user)).toEqual([]);
  });
  it.each([
    ['short', 'Sh0rt!x', /at least 10/],
    ['entirely numeric', '12345678901234', /entirely numeric/],
    ['common', 'password1234', /too common|guess/],
    ['common, any case', 'QWERTYUIOP', /too common|guess/],
    ['the username', 'adalovelace2024', /similar/],
    ['the email local part', 'Ada.Lovelace!!', /similar/],
    ['too guessable', 'aaaaaaaaaaaa', /guess|repeat|common/i],
  ])('refuses %s', (_name, password, reason) => {
    const problems = passwordProblems(password, user);
    expect(problems.join(' ')).toMatch(reason);
  });
});

describe('argon2id hashing', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hashed = await hashPassword('violet-harbour-tractor-91');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hashed, 'violet-harbour-tractor-91')).toBe(true);
    expect(await verifyPassword(hashed, 'violet-harbour-tractor-92')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
});
