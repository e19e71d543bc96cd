import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOidc, startFakeOidc } from '../fakes/fake-oidc.ts';
import { type Stack, startStack } from '../support/stack.ts';

/** "Sign in with …" in a real Chromium: the dashboard, the real API and a fake OpenID provider. */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';

// Outside CI a machine without Chromium skips; in CI (.ci/run installs it) a missing browser fails.
describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('OIDC sign-in in a browser', () => {
  let idp: FakeOidc;
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    idp = await startFakeOidc({
      users: [
        { sub: 'dana-sub', username: 'dana', roles: ['operator'] },
        { sub: 'erin-sub', username: 'erin', roles: ['guest'] },
      ],
    });
    stack = await startStack({
      apiEnv: {
        MOONMIND_OIDC_ISSUER: idp.issuer,
        MOONMIND_OIDC_CLIENT_ID: idp.clientId,
        MOONMIND_OIDC_CLIENT_SECRET: idp.clientSecret,
        MOONMIND_OIDC_NAME: 'Acme SSO',
      },
    });
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await idp?.close();
  });

  const newPage = async () => (await browser.newContext({ baseURL: stack.apiUrl })).newPage();

  it('clicks "Sign in with Acme SSO" and lands signed in on the page it came from', async () => {
    idp.signInAs('dana-sub');
    const page = await newPage();
    await page.goto('/tasks/queue');
    await page.waitForURL(/\/sign-in\?next=%2Ftasks%2Fqueue/);
    const button = page.getByRole('link', { name: 'Sign in with Acme SSO' });
    await button.waitFor();
    expect(await page.getByTestId('token-input').isVisible()).toBe(true);
    await page.screenshot({ path: `${shots}/oidc-sign-in.png` });
    await button.click();
    await page.waitForURL(/\/tasks\/queue$/);
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('dana');
    expect(await page.getByTestId('current-user').textContent()).toContain('operator');
    // The session survives a reload: it is the API's cookie session, not page state.
    await page.reload();
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('dana');
    await page.context().close();
  });

  it('a user without a MoonMind role ends on the sign-in page with a clear message', async () => {
    idp.signInAs('erin-sub');
    const page = await newPage();
    await page.goto('/tasks');
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.waitForURL(/\/sign-in\?error=oidc_role/);
    await expect.poll(() => page.getByTestId('oidc-error').textContent()).toContain('no MoonMind role');
    // Only the worded reason: no token, no error detail, no stack trace.
    expect(await page.locator('main').textContent()).not.toMatch(/eyJ|Error|\.ts:\d/);
    await page.screenshot({ path: `${shots}/oidc-sign-in-refused.png` });
    // The user can still sign in another way from here.
    expect(await page.getByTestId('token-input').isVisible()).toBe(true);
    await page.context().close();
  });
});
