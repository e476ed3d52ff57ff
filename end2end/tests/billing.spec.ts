import { expect, test } from '@playwright/test';
import { hydrated, signIn, watchConsole } from './helpers';

const thisYear = new Date().getFullYear();

test.describe('fee billing', () => {
  test('a manager sets up a fee item with a rate and runs billing for this month', async ({ page }, info) => {
    const errors = watchConsole(page);
    const item = `垃圾清运费-${info.project.name}`;
    await signIn(page, 'manager');
    await hydrated(page);
    await page.goto('/desk/fees');
    await hydrated(page);
    await page.getByLabel('项目名称').fill(item);
    await page.getByLabel('计费方式').selectOption('fixed');
    await page.getByRole('button', { name: '新建收费项目' }).click();
    const section = page.locator('section.panel', { has: page.getByRole('heading', { name: item }) });
    await expect(section).toBeVisible();

    await section.locator('summary', { hasText: '添加费率' }).click();
    await section.getByLabel('单价（元）').fill('-3');
    await section.getByLabel('生效日期').fill(`${thisYear}-01-01`);
    await section.getByRole('button', { name: '添加费率' }).click();
    // The refusal stands beside this item's rate field.
    await expect(section.locator('.field-error', { hasText: '金额不能为负数' })).toBeVisible();
    await section.getByLabel('单价（元）').fill('12.5');
    await section.getByRole('button', { name: '添加费率' }).click();
    await expect(section.locator('ul.rates li')).toContainText('12.5');

    await page.goto('/desk/billing');
    await hydrated(page);
    // The desk's month (China time) is the form's default.
    const thisMonth = await page.getByLabel('账期').inputValue();
    const runs = page.locator('section', { has: page.getByRole('heading', { name: '账单生成记录' }) }).locator('tbody tr:has(td.num)');
    const before = await runs.count();
    await page.getByRole('button', { name: '生成账单' }).click();
    // The new run appears on top, shows its progress, then what it created.
    await expect(runs).toHaveCount(before + 1);
    const latest = runs.first();
    await expect(latest).toContainText(thisMonth);
    await expect(latest).toContainText('已完成', { timeout: 20_000 });
    const created = Number(await latest.locator('td').nth(2).innerText());
    expect(created).toBeGreaterThan(0);
    // The refused rate answered 422, as it should; nothing else went wrong.
    expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
  });

  test('a clerk takes a payment for two lines with a surplus, prints the receipt, and a second submit is refused', async ({ page }, info) => {
    const number = info.project.name === 'phone' ? '1-1-202' : '1-1-102';
    await signIn(page, 'clerk');
    await hydrated(page);
    await page.getByRole('searchbox', { name: '搜索房号、姓名或手机尾号' }).fill(number);
    await expect(page.locator('.search-results a').first()).toContainText(number);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(number);
    await page.getByRole('link', { name: '收费账务' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`${number} 的账务`);
    await hydrated(page);

    // Keep the two oldest lines picked, untick the rest; the total follows.
    const boxes = page.locator('input[name="lines[]"]');
    const count = await boxes.count();
    expect(count).toBeGreaterThan(2);
    for (let i = 2; i < count; i++) await boxes.nth(i).uncheck();
    const due = Number((await page.getByTestId('due-now').innerText()).replace(/,/g, ''));
    expect(due).toBeGreaterThan(0);
    // The amount received follows the picks until the clerk types one.
    await expect(page.getByLabel('实收金额（元）')).toHaveValue(due.toFixed(2));

    // Short of the total: refused next to the field, nothing taken.
    await page.getByLabel('实收金额（元）').fill((due - 1).toFixed(2));
    await page.getByRole('button', { name: '收款', exact: true }).click();
    await expect(page.getByText(/实收不足/)).toBeVisible();

    const received = (due + 100).toFixed(2);
    await page.getByLabel('支付方式').selectOption('wechat');
    await page.getByLabel('实收金额（元）').fill(received);
    // What the form posts, kept to post it a second time.
    const form = await page.locator('form:has(input[name="request_key"])').first().evaluate((f) =>
      new URLSearchParams(new FormData(f as HTMLFormElement) as unknown as Record<string, string>).toString(),
    );
    await page.getByRole('button', { name: '收款', exact: true }).click();
    await expect(page).toHaveURL(/\/desk\/receipts\/\d+$/);
    const receipt = page.getByTestId('receipt');
    await expect(receipt).toContainText(number);
    await expect(receipt).toContainText('微信支付');
    await expect(receipt).toContainText('转预存款');
    await expect(receipt).toContainText(received);
    await expect(page.getByTestId('capitals')).toContainText('元');
    await expect(receipt.getByText('补打')).toHaveCount(0);
    // Opening the receipt is not printing it: a refresh is still the original.
    await page.reload();
    await hydrated(page);
    await expect(receipt.getByText('补打')).toHaveCount(0);
    // The print button records the print, then opens the browser's print dialog.
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed += 1;
      };
    });
    await page.getByRole('button', { name: '打印' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await expect(receipt.getByText('补打')).toHaveCount(0);
    // Printed, the page is the receipt alone.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.topbar')).toBeHidden();
    await expect(receipt).toBeVisible();
    await page.emulateMedia({ media: 'screen' });

    // The same form posted again: refused, taken once.
    const status = await page.evaluate(async (body) => {
      const r = await fetch('/api/take_payment', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: r.status, text: await r.text() };
    }, form);
    expect(status.status).toBe(409);
    expect(status.text).toContain('已经提交过');

    // Back on the account: one payment, the surplus on the prepaid balance.
    await page.goBack();
    await page.reload();
    await expect(page.getByTestId('balance')).toHaveText('100.00');
    await expect(page.locator('tr', { hasText: '微信支付' })).toHaveCount(1);
    // A reprint says so.
    await page.locator('tr', { hasText: '微信支付' }).getByRole('link').first().click();
    await expect(page.getByTestId('receipt').getByText('补打')).toBeVisible();
  });

  test('a resident sees the paid lines, receipts and the prepaid balance on a phone', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await signIn(page, '13800000001');
    await page.goto('/portal/bills');
    await expect(page.getByRole('heading', { name: /1-1-101/ })).toBeVisible();
    const balance = await page.getByTestId('balance').innerText();
    expect(Number(balance.replace(/,/g, ''))).toBeGreaterThan(0);
    await expect(page.locator('.bill-card').filter({ hasText: '物业服务费' }).first()).toContainText('m²');
    await expect(page.locator('.bill-card').filter({ hasText: '预存款抵扣' }).first()).toBeVisible();
    await page.locator('.bill-card a').first().click();
    await expect(page.getByTestId('receipt')).toContainText('王建国');
    // No horizontal scrolling on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Another house's account is the desk's, not the resident's.
    const response = await page.goto('/desk/houses/1/account');
    expect(response?.status()).toBe(403);
  });
});
