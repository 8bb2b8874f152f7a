import { markup, type Html } from './markup.js';
import { VIEWS, type ViewId } from './views.js';

export interface PageOptions {
  /** The page's own part of the <title>. */
  title: string;
  view: ViewId;
  body: Html;
  version: string;
}

/**
 * The frame of every page: skip link, nav (from views.ts), one <main>. Scripts and styles come
 * from /assets only (the CSP allows nothing inline); the script is deferred and the page works
 * without it, only live updates need it.
 */
export function page(opts: PageOptions): string {
  const nav = VIEWS.map(
    (v) =>
      markup`<li>
        <a href="${v.path}" ${v.id === opts.view ? markup` aria-current="page"` : ''}>${v.label}</a>
      </li>`,
  );
  return `<!doctype html>\n${
    markup`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${opts.title} · Alert Threader</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">Alert Threader</a>
          <nav aria-label="Dashboard views">
            <ul>
              ${nav}
            </ul>
          </nav>
          <p class="live-status" id="live-status" role="status" aria-live="polite"></p>
        </header>
        <main id="main" tabindex="-1">${opts.body}</main>
        <footer class="foot">Read-only dashboard · threader ${opts.version}</footer>
      </body>
    </html>`.value
  }\n`;
}

/** A small page for "no such thread" and the like, in the same frame. */
export function messagePage(opts: { title: string; view: ViewId; message: string; version: string }): string {
  const view = VIEWS.find((v) => v.id === opts.view) ?? VIEWS[0];
  return page({
    title: opts.title,
    view: opts.view,
    version: opts.version,
    body: markup`<h1>${opts.title}</h1>
      <p>${opts.message}</p>
      <p><a href="${view.path}">Back to the ${view.label.toLowerCase()}</a></p>`,
  });
}
