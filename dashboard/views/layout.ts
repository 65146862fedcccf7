// The page frame: navigation, language switch, sign-out, a notice line. Styles and the
// small script are files of their own (served from ASSETS_PATH), so the CSP needs no
// inline code at all.
import { t, type Locale, type MessageKey, type Params } from '../../core/i18n';
import { html, type Html } from '../html';

export const ASSETS_PATH = '/dashboard-assets';

export interface View {
  locale: Locale;
  t(key: MessageKey, params?: Params): string;
  csrf: string;
  name: string;
  moderator: boolean;
  /** A one-line notice (the outcome of the last action). */
  flash?: string;
  /** The path being shown, to mark the navigation. */
  path: string;
}

export const viewFor = (locale: Locale, rest: Omit<View, 't' | 'locale'>): View => ({
  locale,
  t: (key, params) => t(locale, key, params),
  ...rest,
});

const NAV: Array<[string, MessageKey]> = [
  ['/staff', 'dashboard.nav.queue'],
  ['/staff/cases', 'dashboard.nav.cases'],
  ['/staff/fleet', 'dashboard.nav.fleet'],
  ['/staff/kb', 'dashboard.nav.kb'],
  ['/staff/stats', 'dashboard.nav.stats'],
  ['/staff/queues', 'dashboard.nav.queues'],
];

export const csrfField = (v: View) => html`<input type="hidden" name="_csrf" value="${v.csrf}" />`;

function head(title: string, locale: Locale): Html {
  // Prettier's HTML formatting would close <html> here, before the page's <body>.
  // prettier-ignore
  return html`<!doctype html>
    <html lang="${locale === 'zh' ? 'zh-CN' : 'en'}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="${ASSETS_PATH}/app.css" />
        <script src="${ASSETS_PATH}/app.js" defer></script>
      </head>`;
}

/** One ticket's page belongs to the queue's tab. */
const current = (path: string, href: string) =>
  path === href || (href === '/staff' && path.startsWith('/staff/tickets/'));

export function page(v: View, title: string, body: Html): string {
  const nav = NAV.map(
    ([href, key]) =>
      html`<a href="${href}" ${current(v.path, href) ? html` aria-current="page"` : ''}>${v.t(key)}</a>`,
  );
  return html`${head(`${title} · ${v.t('dashboard.title')}`, v.locale)}<body>
<header><strong>${v.t('dashboard.title')}</strong><nav>${nav}</nav>
<span class="who">${v.t('dashboard.signedInAs', { name: v.name })}</span>
<form method="post" action="/staff/lang" class="inline">${csrfField(v)}
<input type="hidden" name="lang" value="${v.locale === 'zh' ? 'en' : 'zh'}">
<input type="hidden" name="back" value="${v.path}"><button>${v.t('dashboard.lang')}</button></form>
<form method="post" action="/staff/signout" class="inline">${csrfField(v)}<button>${v.t('dashboard.nav.signout')}</button></form>
</header><main><h1>${title}</h1>${v.flash ? html`<p class="flash" role="status">${v.flash}</p>` : ''}${body}</main></body></html>`
    .value;
}

/** The public sign-in page (no session). */
export function signInPage(locale: Locale, notice?: MessageKey): string {
  const tr = (k: MessageKey) => t(locale, k);
  return html`${head(tr('dashboard.signin.title'), locale)}<body><main class="narrow">
<h1>${tr('dashboard.signin.title')}</h1>${notice ? html`<p class="flash">${tr(notice)}</p>` : ''}
<p>${tr('dashboard.signin.how')}</p></main></body></html>`.value;
}
