/**
 * The public live page and the staff console in a real browser (Debian chromium driven by playwright-core),
 * against the real app on SQLite. Screenshots at 360 px and 1280 px go to test/artifacts/ (git-ignored).
 * Parts whose API has not landed are skipped with a note (checked through /api/docs-json).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { quarterOf, previousQuarter } from '../src/calendar/quarter';
import { generateDemoTickets } from '../src/demo/demo-generator';
import { Leader } from '../src/livestream/leader.entity';
import { LivestreamSession } from '../src/livestream/livestream-session.entity';
import { QaEmitter } from '../src/qa/qa-emitter';
import { Ticket } from '../src/tickets/ticket.entity';
import { ADMIN, bootApp, TestApp } from './utils/app';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Browser globals for the page.evaluate callbacks (module-scoped: the Node program gets no DOM lib).
declare const document: any;
declare const window: any;

const ART = join(__dirname, 'artifacts');
const PASSWORD = 'password-123';

describe('pages (public live page and staff console) in chromium on sqlite', () => {
  let t: TestApp;
  let browser: Browser;
  let paths: string[] = [];
  let sessionId: number;
  const has = (p: string) => paths.includes(p);
  const contexts: BrowserContext[] = [];

  async function page(width: number): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 780 : 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    return p;
  }

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.goto(`${t.url}/console/`);
    await p.locator('#login-user').fill(username);
    await p.locator('#login-pass').fill(password);
    await p.keyboard.press('Enter');
    await p.locator('#tabs [role=tab]').first().waitFor();
  }

  const shot = (p: Page, name: string) => p.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    t = await bootApp('sqlite');
    paths = Object.keys((await t.http().get('/api/docs-json')).body.paths ?? {});
    const ds = t.get(DataSource);
    const leaderUser = await t.userId('leader', 'leader1');
    const leader = await ds.getRepository(Leader).save({ name: '周明远', title: '区市政市容委主任', departmentCode: 'city', email: 'l1@xicheng.example', userId: leaderUser });
    const now = Date.now();
    const sessions = ds.getRepository(LivestreamSession);
    const live = await sessions.save(
      sessions.create({ title: '背街小巷环境整治在线访谈', description: '聚焦停车与垃圾分类', departmentCode: 'city', leaderIds: [leader.id], topicKeys: ['parking'], startsAt: new Date(now - 10 * 60_000), endsAt: new Date(now + 50 * 60_000), planned: true, status: 'live', streamUrl: 'https://live.example.org/room1.m3u8' }),
    );
    sessionId = live.id;
    await sessions.save(sessions.create({ title: '加装电梯政策解读', departmentCode: 'housing', leaderIds: [], topicKeys: ['elevator'], startsAt: new Date(now + 3 * 86400_000), endsAt: new Date(now + 3 * 86400_000 + 3600_000), planned: true, status: 'scheduled' }));
    // Tickets for the list and the report: two quarters back to now.
    const rows = generateDemoTickets({ seed: 7, now: new Date(), total: 900, quarters: 3 }).map(({ themeTopic: _t, ...r }) => ({ ...r, leaderOnDuty: false, topics: [] as string[] }));
    for (let i = 0; i < rows.length; i += 300) await ds.createQueryBuilder().insert().into(Ticket).values(rows.slice(i, i + 300)).execute();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('serves the pages and their scripts from the server itself, no CDN, under the strict CSP', async () => {
    const r = await t.http().get('/').expect(200);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.text).toContain('lang="zh-CN"');
    for (const src of r.text.match(/src="([^"]+)"/g) ?? []) expect(src).toMatch(/src="\//);
    const c = await t.http().get('/console/').expect(200);
    expect(c.text).toContain('/vendor/echarts/echarts.min.js');
    await t.http().get('/vendor/echarts/echarts.min.js').expect(200);
    await t.http().get('/js/common.js').expect(200);
    // No inline scripts or handlers (CSP would block them anyway).
    for (const html of [r.text, c.text]) {
      expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+="/);
    }
  });

  it('public page shows the live session, its details, the schedule and the window board on a phone and a desktop', async () => {
    for (const w of [360, 1280]) {
      const p = await page(w);
      await p.goto(`${t.url}/`);
      await p.locator('#session-title').filter({ hasText: '背街小巷环境整治在线访谈' }).waitFor();
      expect(await p.locator('#now-h').textContent()).toBe('正在直播');
      expect(await p.locator('#session-dep').textContent()).toBe('区市政市容委');
      // HLS without a player library: a link to the stream is always there.
      expect(await p.locator('a[href="https://live.example.org/room1.m3u8"]').count()).toBeGreaterThan(0);
      await p.locator('#schedule li').filter({ hasText: '加装电梯政策解读' }).waitFor();
      await p.locator('#board .tile, #board p').first().waitFor();
      if (has('/api/window/board')) expect(await p.locator('#board .tile').count()).toBe(4);
      // Nothing wider than the viewport at 360 px.
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Every form control has a label.
      const unlabelled = await p.evaluate(() =>
        Array.from(document.querySelectorAll('input, textarea, select') as ArrayLike<any>).filter((el: any) => {
          const id = el.id;
          return !(id && document.querySelector(`label[for="${id}"]`)) && !el.getAttribute('aria-label') && !el.closest('label');
        }).length,
      );
      expect(unlabelled).toBe(0);
      await shot(p, `public-${w}`);
      if (w === 360) {
        // Offline: the banner says so, and goes away when the network is back.
        expect(await p.locator('#offline').isVisible()).toBe(false);
        await p.context().setOffline(true);
        await p.locator('#offline').waitFor({ state: 'visible' });
        await p.context().setOffline(false);
        await p.locator('#offline').waitFor({ state: 'hidden', timeout: 15_000 });
      }
    }
  });

  it('a viewer asks, a moderator approves by keyboard in a second context, the question appears live as text; the leader answers and it appears', async () => {
    if (!has('/api/livestream/sessions/{id}/questions')) return console.warn('skipped: live Q&A not landed');
    const viewer = await page(360);
    await viewer.goto(`${t.url}/`);
    await viewer.locator('#session-title').waitFor();
    await viewer.waitForFunction(() => !document.getElementById('ask-btn').disabled);
    const xss = '<img src=x onerror="window.__xss=1">停车位太少怎么办？';
    await viewer.locator('#ask-nick').fill('老街坊');
    await viewer.locator('#ask-text').fill(xss);
    await viewer.locator('#ask-btn').click();
    // Pending: shown to the asker only.
    await viewer.locator('.q.mine-pending').filter({ hasText: '停车位太少' }).waitFor();
    const other = await page(1280);
    await other.goto(`${t.url}/`);
    await other.locator('#session-title').waitFor();
    await other.waitForTimeout(500);
    expect(await other.locator('#feed').textContent()).not.toContain('停车位太少');

    const mod = await page(1280);
    await t.token('moderator', 'mod1');
    await login(mod, 'mod1', PASSWORD);
    await mod.locator('#tab-moderate').click();
    await mod.locator('#queue .queue-item').filter({ hasText: '停车位太少' }).waitFor();
    await shot(mod, 'console-moderate-1280');
    await mod.locator('#queue').focus();
    await mod.keyboard.press('a');
    await mod.locator('#approved .q').filter({ hasText: '停车位太少' }).waitFor();

    // Appears on both viewers' pages without a reload, as text.
    for (const v of [viewer, other]) {
      const q = v.locator('#feed .q:not(.mine-pending)').filter({ hasText: '停车位太少' });
      await q.waitFor();
      expect(await q.locator('.text').textContent()).toBe(xss);
      expect(await v.locator('#feed img').count()).toBe(0);
      expect(await v.evaluate(() => window.__xss)).toBeUndefined();
    }
    expect(await viewer.locator('.q.mine-pending').count()).toBe(0);

    // A second question is rejected with R: it leaves the queue and never reaches other viewers.
    await other.locator('#ask-text').fill('这个问题会被驳回');
    await other.locator('#ask-btn').click();
    await other.locator('.q.mine-pending').filter({ hasText: '会被驳回' }).waitFor();
    await mod.locator('#queue .queue-item').filter({ hasText: '会被驳回' }).waitFor();
    await mod.locator('#queue').focus();
    await mod.keyboard.press('r');
    await mod.locator('#queue .queue-item').filter({ hasText: '会被驳回' }).waitFor({ state: 'detached' });
    await viewer.waitForTimeout(300);
    expect(await viewer.locator('#feed').textContent()).not.toContain('会被驳回');

    // Upvote from the other viewer, seen by the first.
    await other.locator('#feed .vote').first().click();
    await viewer.locator('#feed .vote').filter({ hasText: '▲ 1' }).waitFor();

    // The leader answers on air.
    const leader = await page(1280);
    await login(leader, 'leader1', PASSWORD);
    await leader.locator('#tab-answer').click();
    await leader.locator('#answer-list .q').filter({ hasText: '停车位太少' }).waitFor();
    await leader.locator('#answer-list textarea').first().fill('我们将在年底前新增 300 个居住停车位。');
    await leader.locator('#answer-list button[type=submit]').first().click();
    await leader.locator('#answer-list button', { hasText: '设为正在回答' }).first().click();
    await shot(leader, 'console-answer-1280');
    const ans = viewer.locator('#feed .answer').filter({ hasText: '300 个居住停车位' });
    await ans.waitFor();
    await viewer.locator('#feed .q.highlighted').filter({ hasText: '停车位太少' }).waitFor();
    expect(await ans.textContent()).toContain('周明远');
    await shot(viewer, 'public-qa-360');

    // The server drops every /live connection: the page reconnects and re-joins by itself, and live updates go on.
    (t.get(QaEmitter) as unknown as { nsp: { disconnectSockets: (close?: boolean) => void } }).nsp.disconnectSockets(true);
    await viewer.waitForTimeout(1500);
    await leader.locator('#answer-list textarea').first().fill('补充：新增车位将于明年一季度开放。');
    await leader.locator('#answer-list button[type=submit]').first().click();
    await viewer.locator('#feed .answer').filter({ hasText: '明年一季度开放' }).waitFor({ timeout: 15_000 });
    expect(await viewer.locator('#offline').isVisible()).toBe(false);
  });

  it('an operator logs a ticket with the keyboard alone, guided by validation and dispatch suggestions', async () => {
    if (!has('/api/tickets')) return console.warn('skipped: POST /api/tickets not landed');
    await t.token('operator', 'op1');
    for (const w of [1280, 360]) {
      const p = await page(w);
      await p.goto(`${t.url}/console/`);
      await p.keyboard.type('op1');
      await p.keyboard.press('Tab');
      await p.keyboard.type(PASSWORD);
      await p.keyboard.press('Enter');
      await p.locator('#call-phone').waitFor();
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('call-phone');
      await p.keyboard.type('1381234');
      await p.locator('#call-phone-err').filter({ hasText: '号码格式不对' }).waitFor();
      await p.keyboard.type('5678');
      await p.waitForFunction(() => document.getElementById('call-phone-err')?.textContent === '');
      await p.keyboard.press('Tab'); // name
      await p.keyboard.type('王女士');
      await p.keyboard.press('Tab'); // channel
      await p.keyboard.press('Tab'); // street
      await p.keyboard.press('Tab'); // community
      await p.keyboard.press('Tab'); // address
      await p.keyboard.press('Tab'); // content
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('call-content');
      await p.keyboard.type('小区');
      await p.locator('#call-content-err').filter({ hasText: '至少 5 个字' }).waitFor();
      await p.keyboard.type('暖气不热，室温只有十五度，老人受不了，希望尽快解决。');
      if (has('/api/tickets/suggest')) {
        await p.locator('#suggest .chip').first().waitFor();
        await p.keyboard.press('Alt+1');
        expect(await p.locator('#call-dep').inputValue()).not.toBe('');
      }
      await shot(p, `console-call-${w}`);
      expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await p.keyboard.press('Control+Enter');
      await p.locator('#call-result p').waitFor();
      expect(await p.locator('#call-result').textContent()).toContain('已登记工单');
      expect(await p.locator('#call-phone').inputValue()).toBe('');
    }
    const rows = await t.get(DataSource).query(`SELECT callerPhone, content FROM tickets WHERE callerPhone = '13812345678'`);
    expect(rows).toHaveLength(2);
  });

  it('the ticket list filters and masks phones; the import shows its progress and result', async () => {
    if (!has('/api/tickets')) return console.warn('skipped: GET /api/tickets not landed');
    const p = await page(1280);
    await login(p, 'op1', PASSWORD);
    await p.locator('#tab-tickets').click();
    await p.locator('#tickets-info').filter({ hasText: '共' }).waitFor();
    await p.locator('#tf-street').selectOption('德胜');
    await p.locator('#tf-q').fill('暖气');
    await p.keyboard.press('Enter');
    await p.locator('#tickets-info').filter({ hasText: '第 1' }).waitFor();
    const cells = await p.locator('table tbody tr td:nth-child(3)').allTextContents();
    expect(cells.every((c) => c === '德胜')).toBe(true);
    const phones = await p.locator('table tbody tr td:nth-child(7)').allTextContents();
    expect(phones.every((x) => /^\d{3}\*{4}\d{4}$/.test(x))).toBe(true);
    await shot(p, 'console-tickets-1280');
    if (!has('/api/tickets/import')) return console.warn('skipped: import not landed');
    await p.locator('#tab-import').click();
    const csv = 'ticketNo,receivedAt,callerPhone,street,content\nIMP-1,2026-10-01T09:00:00+08:00,13900001111,德胜,楼道灯坏了一个月没人修\nIMP-2,2026-10-01T10:00:00+08:00,bad,德胜,x\n';
    await p.locator('#import-file').setInputFiles({ name: 'calls.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await p.locator('#import-file').press('Tab');
    await p.keyboard.press('Enter');
    await p.locator('#import-pct').filter({ hasText: '导入完成' }).waitFor();
    expect(await p.locator('#import-progress').evaluate((e) => (e as any).value)).toBe(100);
    const tiles = await p.locator('#import-result .tile .num').allTextContents();
    expect(tiles).toEqual(['2', '1', '0', '1']);
    await shot(p, 'console-import-1280');
  });

  it('the admin hot-topic report draws its four charts, offers the CSV and the livestream calendar', async () => {
    if (!has('/api/topics/quarters/{quarter}')) return console.warn('skipped: topics report not landed');
    const admin = await t.token('admin');
    const q = previousQuarter(quarterOf(new Date()));
    const run = await t.http().post(`/api/topics/quarters/${q}/run?wait=true`).set('Authorization', `Bearer ${admin}`);
    expect([200, 201, 202]).toContain(run.status);
    for (const w of [1280, 360]) {
      const p = await page(w);
      await login(p, ADMIN.username, ADMIN.password);
      await p.locator('#tab-report').click();
      for (const id of ['chart-heat', 'chart-growth', 'chart-street', 'chart-scatter']) await p.locator(`#${id} canvas`).waitFor();
      expect(await p.locator('#rep-table tbody tr').count()).toBeGreaterThan(5);
      await p.waitForTimeout(700); // let the charts finish their animation for the screenshot
      await shot(p, `console-report-${w}`);
      if (w === 1280) {
        const [download] = await Promise.all([p.waitForEvent('download'), p.locator('#rep-csv').click()]);
        expect(download.suggestedFilename()).toBe(`hot-topics-${q}.csv`);
        await p.locator('#tab-proposals').click();
        await p.locator('#prop-out').waitFor({ state: 'attached' });
        await p.locator('button', { hasText: '生成建议' }).click();
        await p.locator('#prop-out .queue-item, #prop-out p:not(:has-text("正在生成"))').first().waitFor();
        if (await p.locator('#prop-out .queue-item').count()) {
          await shot(p, 'console-proposals-1280');
          await p.locator('button', { hasText: '确认所选并创建场次' }).click();
          await p.locator('#prop-out').filter({ hasText: '已创建' }).waitFor();
        }
        await p.locator('#tab-calendar').click();
        await p.locator('#calendar li').filter({ hasText: '加装电梯政策解读' }).waitFor();
        await shot(p, 'console-calendar-1280');
      }
    }
  });

  it('a receipt lookup on the public page follows a status change live; the clerk sees the query code once', async () => {
    if (!has('/api/window/applications')) return console.warn('skipped: window API not landed');
    await t.token('clerk', 'clerk1');
    const clerk = await page(1280);
    await login(clerk, 'clerk1', PASSWORD);
    await clerk.locator('#app-matter').fill('个体工商户设立登记');
    await clerk.locator('#app-name').fill('李先生');
    await clerk.locator('#app-phone').fill('13698765432');
    await clerk.locator('#app-matter').press('Enter');
    await clerk.locator('#new-code').waitFor();
    const receiptNo = (await clerk.locator('#new-receipt').textContent())!;
    const code = (await clerk.locator('#new-code').textContent())!;
    expect(code).toMatch(/^\d{6}$/);
    await shot(clerk, 'console-window-1280');

    const viewer = await page(360);
    await viewer.goto(`${t.url}/`);
    await viewer.locator('#lk-receipt').fill(receiptNo);
    await viewer.locator('#lk-code').fill(code);
    await viewer.locator('#lk-code').press('Enter');
    await viewer.locator('#lookup-status').filter({ hasText: '已受理' }).waitFor();
    expect(await viewer.locator('#lookup-result').textContent()).not.toContain('13698765432');
    await viewer.waitForTimeout(500); // the watch is registered
    await clerk.locator('#app-created').waitFor();
    await clerk.locator('button', { hasText: '→ 审查中' }).first().click();
    await viewer.locator('#lookup-status').filter({ hasText: '审查中' }).waitFor({ timeout: 10_000 });
    await shot(viewer, 'public-lookup-360');
  });
});
