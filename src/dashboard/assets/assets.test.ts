import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCRIPT } from './client-script.js';
import { STYLES } from './styles.js';

describe('dashboard assets', () => {
  it('the script is valid JavaScript as a classic script (compiled, not run)', () => {
    expect(() => new Script(CLIENT_SCRIPT, { filename: 'dashboard.js' })).not.toThrow();
  });

  it('the script uses nothing the CSP forbids: no eval, no inline handlers, no other origin', () => {
    expect(CLIENT_SCRIPT).not.toMatch(
      /\beval\(|new Function|setTimeout\(['"]|\.setAttribute\(['"]on|https?:\/\//,
    );
  });

  it('the stylesheet loads nothing from elsewhere', () => {
    expect(STYLES).not.toMatch(/@import|url\(/);
  });
});
