import { expect, test, type Page } from '@playwright/test';
import { DESK, hydrated, signIn, watchConsole } from './helpers';

/** Draws a signature stroke across the pad with the mouse. */
async function sign(page: Page, label: string) {
  const pad = page.getByLabel(label);
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(box.x + 20 + i * 15, box.y + box.height / 2 + (i % 2 ? -12 : 12));
  }
  await page.mouse.up();
}

test.describe('move-in', () => {
  test('the clerk hands a new house over to its buyer: identity, an inspection defect that becomes a repair ticket, readings, the key, agreements, completion, the sheet; the owner activates the portal on a phone with the printed code', async ({ browser }, info) => {
    test.skip(info.project.name !== 'desktop', 'the journey opens its own desk context');
    test.setTimeout(120_000);
    const context = await browser.newContext(DESK);
    const clerk = await context.newPage();
    await signIn(clerk, 'clerk');
    await hydrated(clerk);
    const errors = watchConsole(clerk);
    let clicks = 0;
    let screens = 0;

    // The house not handed over whose key the developer left in the cabinet.
    await clerk.goto('/desk/houses?status=not_handed_over');
    await hydrated(clerk);
    await clerk.getByRole('link', { name: '1-1-1201', exact: true }).click();
    await hydrated(clerk);
    await clerk.getByRole('button', { name: '办理入住' }).click();
    clicks++;
    await expect(clerk).toHaveURL(/\/desk\/moves\/in\/\d+$/);
    await hydrated(clerk);
    screens++;
    const started = Date.now();
    await expect(clerk.getByTestId('missing')).toContainText('身份与产权');

    // Completing now is refused, with the steps still missing named.
    await clerk.getByRole('button', { name: '完成入住' }).click();
    await expect(clerk.getByRole('alert')).toContainText('还不能完成入住');

    // 1. Identity and title.
    const identity = clerk.locator('#step-identity');
    await identity.getByLabel('姓名').fill('林晓东');
    await identity.getByLabel('手机号').fill('13911112222');
    await identity.getByLabel('产权证 / 购房合同 / 租赁合同编号').fill('购房合同 HT-2026-1001');
    await identity.getByRole('button', { name: '保存本步' }).click();
    clicks++;
    await expect(identity.locator('h2 .badge')).toHaveText('已完成');
    await expect(identity).toContainText('139****2222');

    // 2. The inspection: one defect, described; the resident signs on screen.
    const inspection = clerk.locator('#step-inspection');
    await inspection.getByLabel('墙面与天花', { exact: true }).first().selectOption({ label: '有缺陷' });
    await inspection.getByLabel('墙面与天花 的说明').first().fill('客厅东墙墙角裂缝');
    await sign(clerk, '住户签字');
    await inspection.getByRole('button', { name: '保存本步' }).click();
    clicks += 2;
    await expect(inspection.locator('h2 .badge')).toHaveText('已完成');
    await expect(inspection.locator('ul.defects')).toContainText('客厅东墙墙角裂缝');
    // The defect becomes a repair ticket on the house, in one click.
    await inspection.getByRole('button', { name: '转报修' }).click();
    clicks++;
    const ticket = inspection.getByRole('link', { name: /报修单 #\d+/ });
    await expect(ticket).toBeVisible();

    // 3. Readings: the water meter (the last reading is shown as the floor).
    const readings = clerk.locator('#step-readings');
    await readings.getByLabel('水费').fill('9012.5');
    await readings.getByRole('button', { name: '保存本步' }).click();
    clicks++;
    await expect(readings.locator('h2 .badge')).toHaveText('已完成');

    // 4. Keys: the cabinet's 未收楼 key goes to the owner.
    const keys = clerk.locator('#step-keys');
    await expect(keys).toContainText('K0005-1');
    await keys.getByLabel('交付钥匙数量').fill('2');
    await keys.getByRole('button', { name: '交付钥匙' }).click();
    clicks++;
    await expect(keys).toContainText('已交付 2 把钥匙');

    // 5. Agreements, signed today (the dates are filled in).
    const agreements = clerk.locator('#step-agreements');
    await agreements.getByRole('button', { name: '保存签署' }).click();
    clicks++;
    await expect(agreements.locator('h2 .badge')).toHaveText('已完成');

    await clerk.getByRole('button', { name: '完成入住' }).click();
    clicks++;
    await expect(clerk.locator('.notice.ok')).toContainText('已于');
    await expect(clerk.getByRole('link', { name: '打印入住登记表' })).toBeVisible();
    const seconds = (Date.now() - started) / 1000;

    // The sheet to print and sign.
    await clerk.getByRole('link', { name: '打印入住登记表' }).click();
    clicks++;
    screens++;
    await hydrated(clerk);
    const sheet = clerk.locator('.move-in-sheet');
    await expect(sheet.getByRole('heading', { level: 1 })).toHaveText('入住登记表');
    await expect(sheet).toContainText('林晓东');
    await expect(sheet).toContainText('客厅东墙墙角裂缝');
    await expect(sheet).toContainText('2 把');

    // The portal code, printed on the sheet once.
    await clerk.getByRole('button', { name: '生成住户开通码' }).click();
    clicks++;
    const code = (await clerk.getByTestId('portal-code').textContent())!.trim();
    expect(code).toMatch(/^\d{4} \d{4}$/);
    await expect(sheet).toContainText('139****2222');

    // The new owner activates the portal on a phone with the printed code and sees the house.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const owner = await phone.newPage();
    await owner.goto('/activate');
    await hydrated(owner);
    await owner.getByLabel('手机号').fill('13911112222');
    await owner.getByLabel('开通码').fill(code);
    await owner.getByLabel('设置密码').fill('Lin-Xiaodong-2026');
    await owner.getByLabel('再次输入密码').fill('Lin-Xiaodong-2026');
    await owner.getByRole('button', { name: '开通' }).click();
    await expect(owner).toHaveURL(/\/portal/);
    await hydrated(owner);
    await expect(owner.locator('main')).toContainText('1-1-1201');
    // The code works once.
    const again = await phone.newPage();
    await again.goto('/activate');
    await hydrated(again);
    await again.getByLabel('手机号').fill('13911112222');
    await again.getByLabel('开通码').fill(code);
    await again.getByLabel('设置密码').fill('Someone-Else-2026');
    await again.getByLabel('再次输入密码').fill('Someone-Else-2026');
    await again.getByRole('button', { name: '开通' }).click();
    await expect(again.locator('.form-error')).toContainText('开通码不正确');
    await phone.close();

    // The house is occupied by its new owner.
    await clerk.goto('/desk/houses?status=occupied');
    await hydrated(clerk);
    await clerk.getByRole('link', { name: '1-1-1201', exact: true }).click();
    await hydrated(clerk);
    await expect(clerk.locator('.panel').first()).toContainText('林晓东');
    console.log(`move-in: ${screens} screens, ${clicks} clicks, ${seconds.toFixed(1)} s from opening to completion`);
    // The refused early completion is a 422 the browser logs; nothing else.
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});

test.describe('move-out', () => {
  test('a tenant with arrears moves out: completion refused, the settlement paid in the flow with one receipt, the goods-release pass printed and let out once at the gate', async ({ browser }, info) => {
    test.skip(info.project.name !== 'desktop', 'the journey opens its own desk and gate contexts');
    test.setTimeout(120_000);
    const context = await browser.newContext(DESK);
    const clerk = await context.newPage();
    await signIn(clerk, 'clerk');
    await hydrated(clerk);
    const errors = watchConsole(clerk);
    let clicks = 0;
    let screens = 0;

    // The demo's move-out in progress: the tenant's household is ticked as leaving.
    await clerk.goto('/desk/moves');
    await hydrated(clerk);
    const outs = clerk.locator('section.panel', { hasText: '办理中的迁出' });
    await outs.getByRole('link').first().click();
    clicks++;
    await expect(clerk).toHaveURL(/\/desk\/moves\/out\/\d+$/);
    await hydrated(clerk);
    screens++;
    const started = Date.now();
    await expect(clerk.getByTestId('leaving')).toContainText('租户退租');

    // The final water reading: below the last one is refused next to the field.
    const readings = clerk.locator('#step-readings');
    const water = readings.getByLabel('水费');
    const last = Number((await readings.locator('.hint').first().innerText()).replace(/[^0-9.]/g, ''));
    await water.fill('1');
    await readings.getByRole('button', { name: '保存本步' }).click();
    await expect(readings.locator('.field-error')).toContainText('不能低于上次读数');
    await water.fill((last + 12.5).toFixed(2));
    await readings.getByRole('button', { name: '保存本步' }).click();
    clicks++;
    await expect(readings.locator('h2 .badge')).toHaveText('已完成');

    // The settlement: billed to today, October and November unpaid.
    const settlement = clerk.locator('#step-settlement');
    await expect(settlement.getByTestId('settlement')).toContainText('2026-10');
    await settlement.getByRole('button', { name: '出账' }).click();
    clicks++;
    await expect(settlement.getByTestId('settlement')).toContainText('本次迁出');
    const due = await settlement.getByTestId('due').innerText();
    expect(due).not.toBe('0.00');

    // Completing while owed: refused, the amount named.
    await clerk.getByRole('button', { name: '完成迁出' }).click();
    await expect(clerk.getByRole('alert').last()).toContainText('尚欠');

    // One payment in the flow: the amount is filled in, the tenant is the payer.
    await settlement.getByRole('button', { name: /^收款 / }).click();
    clicks++;
    await expect(settlement).toContainText('已收款，收据');
    await expect(settlement.getByTestId('due')).toHaveText('0.00');
    await expect(settlement.locator('h2 .badge')).toHaveText('已完成');

    await clerk.getByRole('button', { name: '完成迁出' }).click();
    clicks++;
    await expect(clerk.locator('.notice.ok').first()).toContainText('办结迁出');
    const seconds = (Date.now() - started) / 1000;
    const toCompletion = clicks;

    // The goods-release pass: issued, printed with its QR code.
    const passes = clerk.locator('#passes');
    await passes.getByText('开具放行条').click();
    clicks++;
    await passes.getByLabel('物品').fill('沙发一套、冰箱一台、纸箱十个');
    await passes.getByLabel('车牌号').fill('粤B12345');
    await passes.getByRole('button', { name: '开具', exact: true }).click();
    clicks++;
    await passes.getByRole('link', { name: /^FX/ }).click();
    clicks++;
    await hydrated(clerk);
    await expect(clerk.locator('.release-pass')).toContainText('沙发一套');
    await expect(clerk.locator('.pass-qr svg')).toBeVisible();
    const check = await clerk.getByTestId('check-link').getAttribute('href');
    expect(check).toMatch(/^\/desk\/passes\/check\/[0-9a-f]{32}$/);

    // At the gate, on a phone: valid, let out once; scanned again, used.
    const gateContext = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const gate = await gateContext.newPage();
    await signIn(gate, 'security');
    await gate.goto(check!);
    await hydrated(gate);
    await expect(gate.getByTestId('verdict')).toContainText('有效');
    await gate.getByRole('button', { name: '确认放行' }).click();
    await expect(gate.getByTestId('verdict')).toContainText('已使用');
    await gate.goto(check!);
    await hydrated(gate);
    await expect(gate.getByTestId('verdict')).toContainText('已使用');
    await expect(gate.getByRole('button', { name: '确认放行' })).toHaveCount(0);
    // A forged code: not valid.
    await gate.goto('/desk/passes/check/0123456789abcdef0123456789abcdef');
    await hydrated(gate);
    await expect(gate.getByTestId('verdict')).toContainText('无效');
    await gateContext.close();

    console.log(`move-out: ${screens} screens, ${toCompletion} clicks to completion (${clicks} with the pass), ${seconds.toFixed(1)} s from opening to completion`);
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});

test.describe('sale', () => {
  test('an owner sells: the seller settles and leaves, the buyer moves in and activates the portal, and sees none of the seller\'s receipts; the seller\'s receipt still names the seller', async ({ browser }, info) => {
    test.skip(info.project.name !== 'desktop', 'the journey opens its own desk and phone contexts');
    test.setTimeout(150_000);
    const context = await browser.newContext(DESK);
    const clerk = await context.newPage();
    await signIn(clerk, 'clerk');
    await hydrated(clerk);
    const errors = watchConsole(clerk);
    const number = '2-2-901';

    // From the house page: 办理迁出.
    await clerk.getByRole('searchbox', { name: '搜索房号、姓名或手机尾号' }).fill(number);
    await expect(clerk.locator('.search-results a').first()).toContainText(number);
    await clerk.keyboard.press('Enter');
    await expect(clerk.getByRole('heading', { level: 1 })).toContainText(number);
    await hydrated(clerk);
    await clerk.getByRole('button', { name: '办理迁出' }).click();
    await expect(clerk).toHaveURL(/\/desk\/moves\/out\/\d+$/);
    await hydrated(clerk);

    // A sale: the owner leaves, the buyer is named.
    const leaving = clerk.locator('#step-leaving');
    await leaving.getByLabel('迁出原因').selectOption({ label: '业主出售' });
    await leaving.getByLabel('买方姓名').fill('周新民');
    await leaving.getByRole('button', { name: '保存本步' }).click();
    await expect(clerk.getByTestId('leaving')).toContainText('业主出售');
    await expect(clerk.getByTestId('leaving')).toContainText('买方：周新民');

    // The seller settles: billed to today, paid in the flow.
    const settlement = clerk.locator('#step-settlement');
    await settlement.getByRole('button', { name: '出账' }).click();
    await expect(settlement.getByTestId('settlement')).toContainText('本次迁出');
    await settlement.getByRole('button', { name: /^收款 / }).click();
    await expect(settlement).toContainText('已收款，收据');
    const receiptLink = settlement.getByRole('link', { name: '查看收据' });
    const receiptHref = (await receiptLink.getAttribute('href'))!;
    const receiptNo = ((await settlement.locator('.notice.ok').first().innerText()).match(/收据\s*(\S+)/) ?? [])[1];
    const saleCase = clerk.url();

    // A sale completes with the buyer's move-in, from the case.
    await expect(clerk.getByRole('button', { name: '完成迁出' })).toHaveCount(0);
    await clerk.getByRole('button', { name: '为买方 周新民 办理入住' }).click();
    await expect(clerk).toHaveURL(/\/desk\/moves\/in\/\d+$/);
    await hydrated(clerk);
    const identity = clerk.locator('#step-identity');
    await identity.getByLabel('姓名').fill('周新民');
    await identity.getByLabel('手机号').fill('13922223333');
    await identity.getByLabel('产权证 / 购房合同 / 租赁合同编号').fill('不动产权证 2026-0901');
    await identity.getByRole('button', { name: '保存本步' }).click();
    await expect(identity.locator('h2 .badge')).toHaveText('已完成');
    const inspection = clerk.locator('#step-inspection');
    await inspection.getByLabel('住户已在纸面验房单上签字').check();
    await inspection.getByRole('button', { name: '保存本步' }).click();
    await expect(inspection.locator('h2 .badge')).toHaveText('已完成');
    const readings = clerk.locator('#step-readings');
    await readings.getByLabel('水费').fill('150');
    await readings.getByRole('button', { name: '保存本步' }).click();
    await expect(readings.locator('h2 .badge')).toHaveText('已完成');
    const keys = clerk.locator('#step-keys');
    await keys.getByLabel('交付钥匙数量').fill('2');
    await keys.getByRole('button', { name: '交付钥匙' }).click();
    await expect(keys).toContainText('已交付 2 把钥匙');
    await clerk.locator('#step-agreements').getByRole('button', { name: '保存签署' }).click();
    await expect(clerk.locator('#step-agreements h2 .badge')).toHaveText('已完成');
    await clerk.getByRole('button', { name: '完成入住' }).click();
    await expect(clerk.locator('.notice.ok')).toContainText('已于');
    const buyerCase = clerk.url();
    // The seller's move-out completed in the same write.
    await clerk.goto(saleCase);
    await hydrated(clerk);
    await expect(clerk.locator('.notice.ok').first()).toContainText('办结迁出');
    await clerk.goto(buyerCase);
    await hydrated(clerk);
    await clerk.getByRole('link', { name: '打印入住登记表' }).click();
    await hydrated(clerk);
    await clerk.getByRole('button', { name: '生成住户开通码' }).click();
    const code = (await clerk.getByTestId('portal-code').textContent())!.trim();

    // The buyer, on a phone: the house, and none of the seller's receipts.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const buyer = await phone.newPage();
    await buyer.goto('/activate');
    await hydrated(buyer);
    await buyer.getByLabel('手机号').fill('13922223333');
    await buyer.getByLabel('开通码').fill(code);
    await buyer.getByLabel('设置密码').fill('Zhou-Xinmin-2026');
    await buyer.getByLabel('再次输入密码').fill('Zhou-Xinmin-2026');
    await buyer.getByRole('button', { name: '开通' }).click();
    await expect(buyer).toHaveURL(/\/portal/);
    await buyer.goto('/portal/bills');
    await hydrated(buyer);
    await expect(buyer.locator('main')).toContainText(number);
    expect(receiptNo).toBeTruthy();
    await expect(buyer.locator('main')).not.toContainText(receiptNo!);
    // Asking the portal for the seller's receipt by its address: not theirs to see.
    await buyer.goto(receiptHref.replace('/desk/', '/portal/'));
    await hydrated(buyer);
    await expect(buyer.getByRole('alert')).toContainText('找不到');
    await expect(buyer.locator('main')).not.toContainText('周芳');
    await phone.close();

    // The seller's receipt, reprinted at the desk, still names the seller.
    await clerk.goto(receiptHref);
    await hydrated(clerk);
    await expect(clerk.locator('main')).toContainText('周芳');
    await expect(clerk.locator('main')).not.toContainText('周新民');
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});
