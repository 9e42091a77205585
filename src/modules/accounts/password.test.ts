import { describe, expect, it } from 'vitest';
import { passwordProblems } from './password.js';
import { temporaryPassword } from './setup.js';

describe('one-time passwords', () => {
  it('always meet the policy, even for a username short enough to turn up by chance', () => {
    // A two-letter username is in about one random 14-character password in 75
    // (13 adjacent pairs, each matching case-insensitively with chance (2/62)²).
    for (const username of ['ab', 'sys', 'Qz']) {
      for (let i = 0; i < 5_000; i++) {
        const password = temporaryPassword(username);
        expect(passwordProblems(password, username, 14)).toEqual([]);
      }
    }
  });

  it('honour a longer minimum set by the security admin', () => {
    expect([...temporaryPassword('sec', 20)]).toHaveLength(20);
  });
});
