import { expect, test } from '@playwright/test';
import { PASSWORD, hydrated, signIn, watchConsole } from './helpers';

const homes = [
  { who: 'admin', url: '/admin/staff', heading: '账号管理' },
  { who: 'manager', url: '/desk', heading: '工作台' },
  { who: 'clerk', url: '/desk', heading: '工作台' },
  { who: 'maintenance', url: '/jobs', heading: '我的工单' },
  { who: '13800000001', url: '/portal', heading: '我的房屋' },
];

test.describe('signing in', () => {
  for (const { who, url, heading } of homes) {
    test(`${who} signs in and lands on their home`, async ({ page }) => {
      const errors = watchConsole(page);
      await signIn(page, who);
      await expect(page).toHaveURL(url);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await hydrated(page);
      expect(errors, 'no console errors (CSP, hydration)').toEqual([]);
    });
  }

  test('the login page is Chinese and a wrong password says so next to the field', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await signIn(page, 'clerk', 'Wrong-Password-123');
    await expect(page).toHaveURL(/error=invalid/);
    const password = page.getByLabel('密码', { exact: true });
    await expect(password).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('用户名（手机号）或密码不正确')).toBeVisible();
  });

  test('sign out returns to the login page and the desk is closed', async ({ page }) => {
    await signIn(page, 'clerk');
    await expect(page).toHaveURL('/desk');
    await page.getByRole('button', { name: '退出' }).click();
    await expect(page).toHaveURL('/login');
    await page.goto('/desk');
    await expect(page).toHaveURL(/\/login\?next=\/desk/);
  });
});

test.describe('language', () => {
  test('the sign-in page switches to English', async ({ page }) => {
    await page.goto('/login');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByLabel('Username or mobile number').fill('maintenance');
    await page.getByLabel('Password', { exact: true }).fill('Wrong-Password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Wrong username (mobile number) or password')).toBeVisible();
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
  });

  test("an account's choice of English is remembered at the next sign-in", async ({ browser }) => {
    const first = await browser.newPage();
    await signIn(first, 'manager');
    await first.getByRole('button', { name: 'English' }).click();
    await expect(first.getByRole('heading', { level: 1, name: 'Desk' })).toBeVisible();
    await expect(first.getByRole('link', { name: 'Audit log' })).toBeVisible();
    await first.close();
    // Another browser, no cookies: the account remembers.
    const context = await browser.newContext();
    const second = await context.newPage();
    await signIn(second, 'manager');
    await expect(second.getByRole('heading', { level: 1, name: 'Desk' })).toBeVisible();
    await expect(second.locator('html')).toHaveAttribute('lang', 'en');
    await second.getByRole('button', { name: '中文' }).click();
    await expect(second.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
    await context.close();
  });
});

test.describe('permissions', () => {
  test('a resident cannot reach a staff page', async ({ page }) => {
    await signIn(page, '13800000001');
    await expect(page).toHaveURL('/portal');
    await expect(page.getByText('1-1-101')).toBeVisible();
    await expect(page.getByRole('link', { name: '工作台' })).toHaveCount(0);
    for (const url of ['/desk', '/admin/staff', '/audit']) {
      const response = await page.goto(url);
      expect(response?.status()).toBe(403);
      await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
    }
  });

  test('a clerk sees only the estate they work for', async ({ page }) => {
    await signIn(page, 'clerk');
    await expect(page.getByRole('cell', { name: '翠湖花园' })).toBeVisible();
    await expect(page.getByRole('cell', { name: '锦绣华庭' })).toHaveCount(0);
  });
});

test.describe('staff accounts', () => {
  test('an admin creates a clerk, bad input is marked, and the clerk can sign in', async ({ page }, info) => {
    const username = `clerk.${info.project.name}`;
    await signIn(page, 'admin');
    await page.getByRole('link', { name: '新建员工账号' }).click();
    await expect(page.getByRole('heading', { name: '新建员工账号' })).toBeVisible();
    await hydrated(page);
    await page.getByLabel('用户名', { exact: true }).fill('X');
    await page.getByLabel('姓名', { exact: true }).fill('赵前台');
    await page.getByLabel('角色', { exact: true }).selectOption('clerk');
    await page.getByLabel('初始密码', { exact: true }).fill('password1234');
    await page.getByRole('button', { name: '创建账号' }).click();
    await expect(page.getByText('用户名须为 3–32 位小写字母')).toBeVisible();
    await expect(page.getByText('请至少选择一个小区')).toBeVisible();
    await expect(page.getByLabel('用户名', { exact: true })).toHaveAttribute('aria-invalid', 'true');

    await page.getByLabel('用户名', { exact: true }).fill(username);
    await page.getByLabel('翠湖花园').check();
    await page.getByLabel('初始密码', { exact: true }).fill('Front-Desk-Pass-2026');
    await page.getByRole('button', { name: '创建账号' }).click();
    await expect(page.getByText('账号已创建。')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('赵前台');

    await page.getByRole('link', { name: '账号管理' }).first().click();
    await expect(page.getByRole('link', { name: username })).toBeVisible();

    await page.getByRole('button', { name: '退出' }).click();
    await signIn(page, username, 'Front-Desk-Pass-2026');
    await expect(page).toHaveURL('/desk');
  });

  test("the manager sees their staff's sign-ins in the audit log and can filter it", async ({ page }) => {
    await signIn(page, 'manager');
    await page.getByRole('link', { name: '操作日志' }).click();
    await expect(page.getByRole('heading', { name: '操作日志' })).toBeVisible();
    await expect(page.getByRole('cell', { name: '李主管' }).first()).toBeVisible();
    await hydrated(page);
    await page.getByLabel('操作', { exact: true }).selectOption('login_failed');
    await page.getByRole('button', { name: '筛选' }).click();
    await expect(page).toHaveURL(/action=login_failed/);
    // The clerk's failed sign-in earlier in this run (wrong-password test), none of the manager's successes.
    await expect(page.getByRole('cell', { name: '登录', exact: true })).toHaveCount(0);
    await expect(page.getByRole('cell', { name: '登录失败' }).first()).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the login form still signs in', async ({ page }) => {
    await signIn(page, 'clerk');
    await expect(page).toHaveURL('/desk');
    await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
    await expect(page.getByRole('cell', { name: '翠湖花园' })).toBeVisible();
  });

  test('a wrong password is reported', async ({ page }) => {
    await signIn(page, 'maintenance', 'Wrong-Password-123');
    await expect(page.getByText('用户名（手机号）或密码不正确')).toBeVisible();
  });
});
