/**
 * Serves the built web console (apps/console/dist) at `/`: hashed assets cached for good, index.html for every other
 * page path (client-side routes), and never anything under the API, health, metrics or socket.io paths.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request } from 'express';

const RESERVED = /^\/(api|healthz|metrics|socket\.io|assets)(\/|$)/;

/** A browser navigating to a console page (not a script, image or API call, which do not ask for HTML). */
function isPageRequest(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !RESERVED.test(request.path) && (request.headers.accept ?? '').includes('text/html');
}

/** The console loads nothing from elsewhere, so the page may only talk to its own origin, and no other site may frame it. */
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Shoal console not available</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem"><h1>The Shoal console is not available</h1>
<p>This coordinator has no built console to serve. Build it with <code>npm run build:console</code>, or start the coordinator with
<code>--console-dir</code> pointing at a built console. The REST API under <code>/api/v1</code> works without it.</p></body></html>`;

/** `directory` holds index.html and assets/; when it is undefined or not built, pages say how to build the console. */
export function consoleFiles(directory: string | undefined): Router {
  const router = Router();
  const index = directory === undefined ? undefined : join(directory, 'index.html');
  if (directory === undefined || index === undefined || !existsSync(index)) {
    router.use((request, response, next) => {
      if (!isPageRequest(request)) return next();
      response.status(503).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT);
    });
    return router;
  }
  // Asset names carry a content hash, so a browser may keep them forever; a missing one falls through to a JSON 404.
  router.use('/assets', express.static(join(directory, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false }));
  const topLevel = express.static(directory, { index: false, redirect: false, maxAge: '1h' });
  router.use((request, response, next) => (RESERVED.test(request.path) || request.path === '/index.html' ? next() : topLevel(request, response, next)));
  router.use((request, response, next) => {
    if (!isPageRequest(request)) return next();
    response.setHeader('Cache-Control', 'no-cache');
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
    response.sendFile(index);
  });
  return router;
}
