// A tiny static file server for examples/spa, so the page has an origin of its own (not authd's).
// Standalone: node tests/browser/static-server.mjs [port]   (default 8081, on 127.0.0.1)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../examples/spa/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
// The pages authd's mailed links open (<AUTHD_APP_URL>/verify-email#token=...): the SPA routes them itself.
const PAGES = new Set(['/', '/verify-email', '/reset-password']);

export function serveSpa(port = 0) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = normalize(join(ROOT, PAGES.has(path) ? 'index.html' : path));
    try {
      if (!file.startsWith(ROOT)) throw new Error('outside the root');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': `${TYPES[extname(file)] || 'application/octet-stream'}; charset=utf-8`, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serveSpa(Number(process.argv[2] || 8081));
  console.log(`examples/spa on http://127.0.0.1:${server.address().port}/`);
}
