import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../../config.ts';

const VERSION = 'v1';

/**
 * AES-256-GCM with a random 96-bit IV. The stored form names the key that sealed it
 * (`v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url), so keys can rotate: the first configured
 * key seals, any configured key opens.
 */
export function seal(keys: EncryptionKey[], plaintext: string): string {
  const key = keys[0];
  if (!key) throw new Error('No encryption key configured.');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, key.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(
    ':',
  );
}

export function open(keys: EncryptionKey[], sealed: string): string {
  const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
  if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined)
    throw new Error('Unrecognised ciphertext.');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new Error(`The key "${keyId}" that sealed this secret is not configured in ENCRYPTION_KEY.`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

export const keyIdOf = (sealed: string): string | undefined => sealed.split(':')[1];

/** The most of a secret any answer shows. */
export const hint = (secret: string): string => (secret.length > 8 ? `…${secret.slice(-4)}` : '…');
