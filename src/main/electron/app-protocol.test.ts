import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../server/http-server';
import { APP_ENTRY_URL, resolveAppFile, serveAppRequest } from './app-protocol';

// A built renderer in a temp folder, a secret beside it, and links that lead out of it.
let base: string;
let root: string;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-app-protocol-'));
  root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>workbench</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  fs.writeFileSync(path.join(root, 'assets', 'font.WOFF2'), 'font');
  fs.writeFileSync(path.join(root, 'assets', 'data.bin'), 'bytes');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(base, 'secret.js'), 'secret');
  fs.symlinkSync(path.join(base, 'secret.js'), path.join(root, 'assets', 'leak.js'));
  fs.symlinkSync(base, path.join(root, 'up'));
  // A link that stays inside is fine.
  fs.symlinkSync(path.join(root, 'assets', 'index-abc.js'), path.join(root, 'alias.js'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const served = (url: string) => {
  const r = resolveAppFile(root, url);
  return r.ok ? path.relative(root, r.file) : null;
};

describe('app:// path resolution', () => {
  it('serves the page and its assets with their types', () => {
    expect(resolveAppFile(root, APP_ENTRY_URL)).toEqual({
      ok: true,
      file: fs.realpathSync(path.join(root, 'index.html')),
      mimeType: 'text/html; charset=utf-8',
    });
    expect(served('app://workbench/')).toBe('index.html');
    expect(served('app://workbench')).toBe('index.html');
    expect(resolveAppFile(root, 'app://workbench/assets/index-abc.js')).toMatchObject({
      mimeType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://workbench/assets/index-abc.css?v=1#x')).toMatchObject({
      mimeType: 'text/css; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://workbench/assets/font.WOFF2')).toMatchObject({ mimeType: 'font/woff2' });
    expect(served('app://workbench/alias.js')).toBe(path.join('assets', 'index-abc.js'));
  });

  it.each([
    'app://workbench/../secret.txt',
    'app://workbench/assets/../../secret.txt',
    'app://workbench/%2e%2e/secret.txt',
    'app://workbench/%2E%2E/secret.js',
    'app://workbench/..%2fsecret.txt',
    'app://workbench/assets/..%2f..%2fsecret.js',
    'app://workbench/assets/%2e%2e%2f%2e%2e%2fsecret.js',
    'app://workbench/..%5csecret.js',
    'app://workbench/assets/..%5C..%5Csecret.js',
    'app://workbench/%252e%252e/secret.js',
    'app://workbench//etc/passwd',
    'app://workbench/%2fetc%2fpasswd',
    'app://workbench/C:%5cWindows%5cwin.ini',
    'app://workbench/index.html:stream',
    'app://workbench/index.html%00.js',
    'app://workbench/%E0%A4%A',
    'app://workbench/assets/leak.js',
    'app://workbench/up/secret.js',
  ])('never serves anything outside the renderer: %s', (url) => {
    expect(resolveAppFile(root, url)).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 404 for what does not exist, folders, unknown types and other origins', () => {
    for (const url of [
      'app://workbench/missing.js',
      'app://workbench/assets',
      'app://workbench/assets/',
      'app://workbench/assets/data.bin',
      'app://other/index.html',
      'app://workbench.evil/index.html',
      'app://workbench@evil/index.html',
      'app://user@workbench/index.html',
      'file:///etc/passwd',
      'http://workbench/index.html',
      'not a url',
    ]) {
      expect(resolveAppFile(root, url), url).toMatchObject({ ok: false, status: 404 });
    }
  });
});

describe('app:// responses', () => {
  it('send the file with its type and the page security policy', async () => {
    const res = await serveAppRequest(root, { url: 'app://workbench/assets/index-abc.js', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('answer 404 with no file content for anything refused', async () => {
    const res = await serveAppRequest(root, { url: 'app://workbench/assets/leak.js', method: 'GET' });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('secret');
  });

  it('accept GET and HEAD only', async () => {
    const head = await serveAppRequest(root, { url: APP_ENTRY_URL, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await serveAppRequest(root, { url: APP_ENTRY_URL, method: 'POST' });
    expect(post.status).toBe(405);
  });
});
