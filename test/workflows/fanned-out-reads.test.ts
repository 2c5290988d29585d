import { describe, expect, it } from 'vitest';
import { namesOnServedGitHub } from '../../src/workflows/fanned-out-reads.js';

const policy = { serverUrl: 'https://github.example', allowedHosts: ['gitlab.example'] };
const repo = { owner: 'acme', repo: 'payments' };

describe('URLs a job carried', () => {
  it('are taken only when they name the same repository on the served GitHub, so no token goes anywhere else', () => {
    expect(namesOnServedGitHub('https://github.example/acme/payments.git', repo, policy)).toBe(true);
    expect(namesOnServedGitHub('https://github.example/ACME/Payments', repo, policy)).toBe(true);
    expect(namesOnServedGitHub('https://github.example/acme/orders.git', repo, policy)).toBe(false);
    expect(namesOnServedGitHub('https://gitlab.example/acme/payments.git', repo, policy)).toBe(false);
    expect(namesOnServedGitHub('http://github.example/acme/payments.git', repo, policy)).toBe(false);
    expect(namesOnServedGitHub('https://github.example.evil/acme/payments.git', repo, policy)).toBe(false);
    expect(namesOnServedGitHub('https://github.example/acme/payments.git/../../other/x.git', repo, policy)).toBe(false);
  });
});
