import { expect, test, type Browser, type Page } from '@playwright/test';
import { DESK, PHONE, as, hydrated, noHorizontalScroll, signIn, watchConsole } from './helpers';

// A 16×12 PNG, as a phone's photo stands in here.
const LEAK_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAIAAADkharWAAAAQklEQVR4nJXCoRGAMAAEwSvni0Cj0Wh0NDo6Go2mkiuLGn5ncUsV91TxSBXPVPFKFUeqeKeKM1VcqeKTKr6p4pfqDzVbClDsxr3+AAAAAElFTkSuQmCC',
  'base64',
);

test.describe('repair dispatch', () => {
  test('a leak goes from the resident’s phone to the worker’s and back, is charged, rated 2 and escalated', async ({ browser }, info) => {
    // Each role has its own device here, so one project runs the journey.
    test.skip(info.project.name !== 'desktop', 'the journey opens its own phone and desk contexts');
    test.setTimeout(90_000);
    const words = `厨房水槽下水管漏水 ${Date.now()}`;

    // The resident reports on a 360 px phone; choosing no place is refused next to the field.
    const resident = await as(browser, '13800000001', PHONE);
    const residentErrors = watchConsole(resident);
    await resident.goto('/portal/repairs/new');
    await hydrated(resident);
    await resident.getByLabel('问题描述').fill(words);
    await resident.getByRole('button', { name: '提交报修' }).click();
    await expect(resident.locator('.field', { has: resident.getByLabel('报修位置') }).locator('.field-error')).toHaveText(
      '请选择要报修的房屋或公共区域。',
    );
    await resident.getByLabel('报修位置').selectOption({ label: '1-1-101' });
    await resident.getByLabel('类别').selectOption({ label: '水暖' });
    await resident.getByLabel('户内有偿维修').check();
    await resident.getByRole('button', { name: '提交报修' }).click();
    await expect(resident).toHaveURL(/\/portal\/repairs\/\d+\?new=1/);
    const id = Number(/repairs\/(\d+)/.exec(resident.url())![1]);
    await expect(resident.getByText('报修已提交')).toBeVisible();
    // The photo, from the phone's camera roll.
    await resident.getByLabel('上传照片').setInputFiles({ name: 'leak.png', mimeType: 'image/png', buffer: LEAK_PNG });
    await resident.getByRole('button', { name: '上传', exact: true }).click();
    await expect(resident.locator('ul.photos img')).toHaveCount(1);
    await expect(resident.locator('ol.timeline')).toContainText('上传照片 1 张');
    await noHorizontalScroll(resident);

    // The clerk assigns it, taking the suggestion (the plumber).
    const clerk = await as(browser, 'clerk', DESK);
    await clerk.goto('/desk/repairs');
    const row = clerk.locator('tr', { has: clerk.getByRole('link', { name: `#${id}`, exact: true }) });
    await expect(row).toContainText('待派工');
    await expect(row).toContainText('户内有偿');
    await row.getByRole('link', { name: `#${id}` }).click();
    await hydrated(clerk);
    await expect(clerk.locator('ul.photos img')).toHaveCount(1);
    const worker = clerk.getByLabel('维修人员');
    await expect(worker.locator('option:checked')).toContainText('【建议】张师傅');
    await clerk.getByRole('button', { name: '派工' }).click();
    await expect(clerk.locator('.page-head .badge').first()).toHaveText('已派工');

    // The worker, on his phone: accept, start, finish with materials and the charge.
    const zhang = await as(browser, 'maintenance', PHONE);
    const card = zhang.locator('li.job-card', { hasText: words });
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: '接单' }).click();
    await expect(card.getByRole('button', { name: '开始维修' })).toBeVisible();
    await card.getByRole('button', { name: '开始维修' }).click();
    await card.getByRole('link', { name: '打开工单 · 完工登记' }).click();
    await hydrated(zhang);
    await zhang.getByLabel('维修记录').fill('更换下水管及密封圈');
    await zhang.getByLabel('使用材料').fill('PVC 下水管 1 根，密封圈 2 个');
    await zhang.getByLabel('人工费（元）').fill('60');
    await zhang.getByLabel('材料费（元）').fill('25.555');
    await zhang.getByRole('button', { name: '完工' }).click();
    await expect(zhang.locator('.field', { has: zhang.getByLabel('材料费（元）') }).locator('.field-error')).not.toBeEmpty();
    await zhang.getByLabel('材料费（元）').fill('25.5');
    await zhang.getByRole('button', { name: '完工' }).click();
    await expect(zhang.locator('.page-head .badge').first()).toHaveText('已完工');
    await expect(zhang.locator('.facts-list')).toContainText('85.50');
    await noHorizontalScroll(zhang);

    // The charge is on the house's bill, in the portal.
    await resident.goto('/portal/bills');
    await expect(resident.locator('.bill-card', { hasText: '维修费' }).first()).toContainText('85.50');

    // The resident rates it 2; a comment is required for that, then it closes and goes up.
    await resident.goto(`/portal/repairs/${id}`);
    await hydrated(resident);
    await expect(resident.locator('ol.timeline')).toContainText('完工');
    await resident.locator('input[name="rating"][value="2"]').check();
    await resident.getByLabel('已解决', { exact: true }).check();
    await resident.getByRole('button', { name: '提交回访' }).click();
    await expect(resident.getByText('评分较低，请记录住户的意见。')).toBeVisible();
    await resident.getByLabel('住户意见').fill('修好了，但地面弄脏了没有清理');
    await resident.getByRole('button', { name: '提交回访' }).click();
    await expect(resident.locator('.page-head .badge').first()).toHaveText('已回访');
    await expect(resident.locator('ul.visits')).toContainText('已升级给主管');

    // It lands on the manager's escalation list with the resident's words.
    const manager = await as(browser, 'manager', DESK);
    await manager.goto('/desk/escalations');
    const escalation = manager.locator('article.escalation', { hasText: `#${id}` });
    await expect(escalation).toContainText('地面弄脏了');
    await expect(escalation).toContainText('★★☆☆☆');
    await escalation.getByLabel('处理结果').fill('已致电致歉，安排保洁上门清理');
    await escalation.getByRole('button', { name: '处理完毕' }).click();
    await expect(manager.locator('article.escalation', { hasText: `#${id}` })).toHaveCount(0);
    // The only errors were the refusals the journey provoked (422).
    expect(residentErrors.filter((e) => !e.includes('422'))).toEqual([]);
  });

  test('a worker’s queue updates without a reload when the desk assigns a job', async ({ browser }, info) => {
    test.skip(info.project.name !== 'desktop', 'opens its own phone and desk contexts');
    test.setTimeout(60_000);
    const liu = await as(browser, 'maintenance2', PHONE);
    const clerk = await as(browser, 'clerk', DESK);
    // The demo's door repair waits in the pool; the desk gives it to 刘师傅.
    await clerk.goto('/desk/repairs');
    await clerk.locator('tr', { hasText: '入户门关不严' }).getByRole('link').first().click();
    await hydrated(clerk);
    const picker = clerk.getByLabel('维修人员');
    const liuValue = await picker.locator('option', { hasText: '刘师傅' }).getAttribute('value');
    await picker.selectOption(liuValue!);
    await clerk.getByRole('button', { name: '派工' }).click();
    await expect(clerk.locator('.page-head .badge').first()).toHaveText('已派工');
    // Within the poll interval it appears under 我的工单 on his phone.
    const mine = liu.locator('section[aria-labelledby="mine"] li.job-card', { hasText: '入户门关不严' });
    await expect(mine).toBeVisible({ timeout: 25_000 });
  });
});
