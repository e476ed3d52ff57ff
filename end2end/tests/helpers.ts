import { expect, type Browser, type Page } from '@playwright/test';

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

/** A 360 px phone and the counter's 1280 px screen. */
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
export const DESK = { viewport: { width: 1280, height: 800 } };

/** A new browser context on `device`, signed in as `who`, hydrated. */
export async function as(browser: Browser, who: string, device: object): Promise<Page> {
  const context = await browser.newContext(device);
  const page = await context.newPage();
  await signIn(page, who);
  await hydrated(page);
  return page;
}

/** The page fits its screen: nothing scrolls sideways. */
export async function noHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}
