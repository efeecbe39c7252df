import { describe, expect, it } from 'vitest';
import { dictionaryFreeChecks, personalAttributes, tooSimilarToOwner } from './password-rules.ts';

describe('dictionary-free password rules', () => {
  const owner = { email: 'maria.lopez@example.com', username: 'mlopez' };

  it('checks length and all-digits', () => {
    expect(dictionaryFreeChecks('short', owner).length).toBe(false);
    expect(dictionaryFreeChecks('long-enough-pass', owner).length).toBe(true);
    expect(dictionaryFreeChecks('12345678901', owner).numeric).toBe(false);
    expect(dictionaryFreeChecks('1234567890a', owner).numeric).toBe(true);
  });

  it('refuses passwords like the email or username, not unrelated ones', () => {
    expect(personalAttributes(owner)).toEqual(['mlopez', 'maria.lopez@example.com', 'maria.lopez']);
    for (const similar of ['MariaLopez2024!', 'mlopez-secure', 'maria.lopez']) {
      expect(tooSimilarToOwner(similar, owner), similar).toBe(true);
    }
    expect(tooSimilarToOwner('violet-harbour-tractor-91', owner)).toBe(false);
    expect(dictionaryFreeChecks('violet-harbour-tractor-91', {}).personal).toBe(true);
  });
});
