import { expect, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

test.describe('estate register', () => {
  test('a clerk finds a house by typing 1201, adds a tenant and ends the occupancy', async ({ page }, info) => {
    const tenant = info.project.name === 'phone' ? '钱小机' : '孙桌面';
    await signIn(page, 'clerk');
    await hydrated(page);
    await page.getByRole('searchbox', { name: '搜索房号、姓名或手机尾号' }).fill('1201');
    await expect(page.locator('.search-results a').first()).toContainText('-1201');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/desk\/houses\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('1201');
    await hydrated(page);

    await page.getByLabel('姓名', { exact: true }).fill(tenant);
    await page.getByLabel('手机号', { exact: true }).fill('12345');
    await page.getByLabel('身份', { exact: true }).selectOption('tenant');
    await page.getByRole('button', { name: '添加住户' }).click();
    await expect(page.getByText('手机号须为 11 位数字')).toBeVisible();

    await page.getByLabel('手机号', { exact: true }).fill('139 1234 0000');
    await page.getByRole('button', { name: '添加住户' }).click();
    const current = page.getByRole('table').first();
    await expect(current.getByRole('link', { name: tenant })).toBeVisible();
    await expect(current.getByText('139****0000')).toBeVisible();

    await page.getByRole('button', { name: `结束（${tenant}）` }).click();
    await expect(page.getByRole('table', { name: '以往住户' }).getByRole('link', { name: tenant }).first()).toBeVisible();
    await expect(page.getByRole('button', { name: `结束（${tenant}）` })).toHaveCount(0);
  });

  test('the frame stays while pages change: a clicked hit empties the search box, and the language switch returns to the page shown', async ({ page }) => {
    await signIn(page, 'clerk');
    await hydrated(page);
    const search = page.getByRole('searchbox', { name: '搜索房号、姓名或手机尾号' });
    await search.fill('1201');
    await page.locator('.search-results a').first().click();
    await expect(page).toHaveURL(/\/desk\/houses\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('1201');
    await expect(search).toHaveValue('');
    await expect(page.locator('.search-results')).toHaveCount(0);
    const house = new URL(page.url()).pathname;
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page).toHaveURL(new RegExp(`${house}$`));
    await expect(page.getByRole('searchbox', { name: 'Search house number, name or mobile ending' })).toBeVisible();
    // Back to Chinese (the account remembers its choice), from the same page.
    await hydrated(page);
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page).toHaveURL(new RegExp(`${house}$`));
    await expect(search).toBeVisible();
  });

  test('the search works without JavaScript through its results page', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, 'clerk');
    await page.getByRole('searchbox', { name: '搜索房号、姓名或手机尾号' }).fill('王建国');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/desk\/search\?q=/);
    await page.getByRole('link', { name: /王建国/ }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: '王建国' })).toBeVisible();
    await expect(page.getByText('138****0001', { exact: true })).toBeVisible();
    await context.close();
  });

  test("a resident sees only their own house and cannot open the desk's houses", async ({ page }) => {
    await signIn(page, '13800000001');
    await expect(page.getByRole('heading', { name: '1-1-101' })).toBeVisible();
    await expect(page.locator('.house-card')).toHaveCount(1);
    // Their own numbers are masked too; 显示 fetches one (and the log records it).
    await expect(page.getByText('138****0001', { exact: true })).toBeVisible();
    await expect(page.getByText('13800000001', { exact: true })).toHaveCount(0);
    await hydrated(page);
    await page.locator('dd', { hasText: '138****0001' }).getByRole('button', { name: '显示' }).click();
    await expect(page.getByText('13800000001', { exact: true })).toBeVisible();
    const response = await page.goto('/desk/houses');
    expect(response?.status()).toBe(403);
  });
});
