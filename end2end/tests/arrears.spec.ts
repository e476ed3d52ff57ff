import { expect, test } from '@playwright/test';
import { hydrated, noHorizontalScroll, signIn, watchConsole } from './helpers';

// Arrears ageing (欠费账龄), in Chinese: the manager reads the estate's ageing
// by building, opens a building's houses in one bucket, and from a house its account.
test('the manager reads the ageing, opens a building\'s houses in a bucket, and a house\'s account', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, 'manager');
  await hydrated(page);
  await page.getByRole('link', { name: '欠费', exact: true }).click();
  await expect(page.getByRole('heading', { name: '欠费账龄' })).toBeVisible();
  const table = page.locator('table.ageing');
  for (const bucket of ['1–30 天', '31–90 天', '91–180 天', '181–365 天', '365 天以上', '合计', '滞纳金']) {
    await expect(table.getByRole('columnheader', { name: bucket })).toBeVisible();
  }
  // The estate's row is the buildings' sum; it reads like the buildings' rows.
  const estate = table.locator('tfoot tr');
  await expect(estate.getByRole('rowheader')).toHaveText('翠湖花园');
  const building = table.locator('tbody tr', { has: page.getByRole('rowheader', { name: '1栋' }) });
  const cell = building.locator('td').first();
  const amount = (await cell.getByRole('link').textContent())!.trim();
  expect(amount).toMatch(/^[\d,]+\.\d{2}$/);
  if (info.project.name === 'phone') await noHorizontalScroll(page);

  // The building's houses owing 1–30 days: their amounts add up to the cell.
  await cell.getByRole('link').click();
  await expect(page.getByRole('heading', { name: /1栋 欠费房屋 · 1–30 天/ })).toBeVisible();
  const rows = page.locator('table.ageing tbody tr');
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const text = (await rows.nth(i).locator('td').first().textContent())!.replace(/,/g, '');
    sum += Math.round(parseFloat(text) * 100);
  }
  expect((sum / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })).toBe(amount);

  // A house number opens its account, where the same arrears are listed.
  const first = rows.first().getByRole('rowheader').getByRole('link').first();
  const number = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(/\/desk\/houses\/\d+\/account/);
  await expect(page.getByText(number).first()).toBeVisible();
  expect(errors).toEqual([]);
});

// The clerk records a promise on a house's chase; it is on her follow-ups today.
test('the clerk records a promise on a house\'s chasing log and finds it among today\'s follow-ups', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'one run is enough: it writes to the demo');
  const errors = watchConsole(page);
  await signIn(page, 'clerk');
  await hydrated(page);
  await page.goto('/desk/houses');
  await hydrated(page);
  await page.getByRole('link', { name: '1-2-301', exact: true }).click();
  await hydrated(page);
  await page.getByRole('link', { name: '催缴记录' }).click();
  await expect(page.getByRole('heading', { name: '1-2-301 催缴记录' })).toBeVisible();
  await hydrated(page);
  const entries = page.locator('table tbody tr:not(:has(td[colspan]))');
  const before = await entries.count();
  await page.getByLabel('催缴方式').selectOption({ label: '电话' });
  await page.getByLabel('结果').selectOption({ label: '承诺缴费' });
  // A promise needs its day and its amount: refused at the fields, nothing written.
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('请填写承诺缴费日期。')).toBeVisible();
  await expect(entries).toHaveCount(before);
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await page.getByLabel('承诺缴费日期').fill(today);
  await page.getByLabel('承诺金额（元）').fill('200');
  await page.getByLabel('备注').fill('业主说今天下班后来交');
  // The form suggests a week on; this one is followed up today.
  await page.getByLabel('下次跟进').fill(today);
  await page.getByRole('button', { name: '保存' }).click();
  await expect(entries).toHaveCount(before + 1);
  const row = entries.first();
  await expect(row).toContainText('承诺');
  await expect(row).toContainText('200.00');
  await expect(row).toContainText('王小前');
  // Today's follow-ups: the house, what it owes, the last action.
  await page.getByRole('link', { name: '今日跟进' }).click();
  await expect(page.getByRole('heading', { name: /今日待跟进/ })).toContainText('户');
  await expect(page.getByRole('row', { name: /1-2-301/ })).toContainText('电话');
  // The refused promise is a 422 the browser logs; nothing else.
  expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
});
