// Screenshots for a look: node shot.cjs user path out.png [width]
const { chromium } = require('@playwright/test');
(async () => {
  const [user, path, out, width] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const page = await browser.newPage({ viewport: { width: Number(width || 1280), height: 900 } });
  await page.goto((process.env.BASE || 'http://127.0.0.1:3917') + '/login');
  await page.fill('input[name=identifier]', user);
  await page.fill('input[name=password]', 'Demo-Estate-2026!');
  await page.press('input[name=password]', 'Enter');
  await page.waitForLoadState('networkidle');
  await page.goto((process.env.BASE || 'http://127.0.0.1:3917') + path);
  await page.waitForSelector('body[data-hydrated]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
})();
