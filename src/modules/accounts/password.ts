/**
 * Passwords: argon2id hashes (@node-rs/argon2, OWASP parameters) and the policy of
 * GB/T 22239 level 3 identification: at least 8 characters (or the longer minimum
 * of the access policy), three of the four character classes, not containing the username.
 */
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id is a const enum in the package's types; its value is 2.
const ARGON2ID = 2;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Returns the reasons a password breaks the policy (empty when it is acceptable). */
export function passwordProblems(password: string, username: string, minLength = 8): Array<'length' | 'classes' | 'username'> {
  const problems: Array<'length' | 'classes' | 'username'> = [];
  if ([...password].length < Math.max(8, minLength)) problems.push('length');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('classes');
  if (username.length > 0 && password.toLowerCase().includes(username.toLowerCase())) problems.push('username');
  return problems;
}
