// The staff dashboard's security contract over plain HTTP, with the real grammY bot against
// the Telegram emulator handing out the links: /dashboard for staff only, one-time and
// expiring links, the cookie flags, every /staff route behind the session, CSRF on every
// state-changing request, no framing, and a removed staff member's session ending.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { t } from '../../core/i18n';
import { keys } from '../../core/keys';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1001616;
const STAFF = 16_001;
const OUTSIDER = 16_002;
const LEAVER = 16_003;

jest.setTimeout(60_000);

describe('staff dashboard security (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let base = '';

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, {
      title: 'Support staff',
      isForum: true,
      members: { [STAFF]: 'administrator', [LEAVER]: 'member' },
    });
    app = await startTestApp({
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      // A removed member must lose the session within a minute; the test waits one second.
      STAFF_ROLE_CACHE_SECONDS: '1',
    });
    base = `http://127.0.0.1:${app.runtime.port}`;
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  /** Sends /dashboard in the private chat and returns the link path from the answer. */
  async function linkFor(userId: number): Promise<string> {
    const u = tg.user(userId, { languageCode: 'en' });
    await u.send('/dashboard');
    const m = await u.nextMessage();
    const url = /(http\S+\/signin\/\S+)/.exec(m.text ?? '')?.[1];
    if (!url) throw new Error(`no link in: ${m.text}`);
    return new URL(url).pathname;
  }

  const get = (path: string, cookie?: string) =>
    fetch(base + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  async function signIn(userId: number): Promise<{ cookie: string; csrf: string }> {
    const res = await get(await linkFor(userId));
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await get('/staff', cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return { cookie, csrf };
  }

  const post = (path: string, cookie: string, form: Record<string, string>) =>
    fetch(base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  it('a link works once: HttpOnly SameSite=Strict cookie, 303 to /staff; the second use sets nothing', async () => {
    const path = await linkFor(STAFF);
    const first = await get(path);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/staff');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^nodedesk_staff=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure'); // plain http in the test; https sets it
    const again = await get(path);
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain(t('en', 'dashboard.signin.refused'));
    // The session works, and the link itself never reached the logs.
    const page = await get('/staff', cookie.split(';')[0]);
    expect(page.status).toBe(200);
    expect(app.logs.join('\n')).not.toContain(path.split('/').pop());
  });

  it('an expired link is refused', async () => {
    const path = await linkFor(STAFF);
    // Expire it the way Redis does after 10 minutes.
    const linkKeys = await app.runtime.hub.redis.keys(keys(app.prefix).dashboardLink('*'));
    expect(linkKeys.length).toBeGreaterThan(0);
    const ttl = await app.runtime.hub.redis.ttl(linkKeys[0]!);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    for (const k of linkKeys) await app.runtime.hub.redis.pexpire(k, 1);
    await waitFor(async () => (await app.runtime.hub.redis.exists(...linkKeys)) === 0);
    const res = await get(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a non-staff /dashboard is refused, with no link', async () => {
    const u = tg.user(OUTSIDER, { languageCode: 'en' });
    await u.send('/dashboard');
    const m = await u.nextMessage();
    expect(m.text).toBe(t('en', 'error.forbidden.staff'));
    expect(m.text).not.toContain('/signin/');
  });

  it('every /staff route without a session redirects (pages) or answers 401 (posts, API)', async () => {
    const pages = ['/staff', '/staff/', '/staff/tickets/1', '/staff/cases', '/staff/fleet', '/staff/kb'];
    for (const p of [...pages, '/staff/stats', '/staff/queues', '/staff/queues/api/queues', '/staff/nope']) {
      const res = await get(p);
      expect([p, res.status, res.headers.get('location')]).toEqual([p, 303, '/signin']);
    }
    expect((await get('/staff', 'nodedesk_staff=forged-session-id-forged-session-id-forged-se')).status).toBe(
      303,
    );
    expect((await post('/staff/tickets/claim', '', { ticket: '1' })).status).toBe(401);
    expect((await get('/staff/api/whatever')).status).toBe(401);
    const signin = await get('/signin');
    expect(signin.status).toBe(200);
  });

  it('state-changing requests need the CSRF token; pages cannot be framed', async () => {
    const { cookie, csrf } = await signIn(STAFF);
    const missing = await post('/staff/lang', cookie, { lang: 'zh', back: '/staff' });
    expect(missing.status).toBe(403);
    const wrong = await post('/staff/lang', cookie, { lang: 'zh', back: '/staff', _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await (await get('/staff', cookie)).text()).includes('lang="en"')).toBe(true);
    const ok = await post('/staff/lang', cookie, { lang: 'zh', back: '/staff', _csrf: csrf });
    expect(ok.status).toBe(303);
    const page = await get('/staff', cookie);
    expect(await page.text()).toContain('lang="zh-CN"');
    for (const res of [page, await get('/signin'), await get('/staff')]) {
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('a staff member removed from the staff group loses the session within the role cache time', async () => {
    await tg.group(STAFF_CHAT).send(LEAVER, 'hi');
    const { cookie } = await signIn(LEAVER);
    expect((await get('/staff', cookie)).status).toBe(200);
    tg.group(STAFF_CHAT).setMember(LEAVER, 'left');
    const res = await waitFor(
      async () => {
        const r = await get('/staff', cookie);
        return r.status === 303 ? r : null;
      },
      { timeoutMs: 5_000, intervalMs: 200, what: 'the session to end' },
    );
    expect(res.headers.get('location')).toBe('/signin?ended=1');
    // Ended for good: being staff again does not revive the old session.
    tg.group(STAFF_CHAT).setMember(LEAVER, 'member');
    await waitFor(() => linkFor(LEAVER).catch(() => null), {
      timeoutMs: 5_000,
      intervalMs: 300,
      what: 'staff again (a new link)',
    });
    expect((await get('/staff', cookie)).status).toBe(303);
  });
});
