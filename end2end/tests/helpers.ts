import { expect, type Page } from '@playwright/test';

export const PASSWORD = process.env.DEMO_PASSWORD ?? 'Demo-Estate-2026!';

/** Waits until the page's WebAssembly has hydrated it (set by an effect in App). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, who: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill(who);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

/** Fails the test on any console error (a CSP violation, a hydration panic). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}
