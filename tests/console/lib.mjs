// tests/console/lib.mjs: what the console's browser journeys share (console.mjs, content.mjs).
import { createRequire } from 'module';
import http from 'http';
const require = createRequire(import.meta.url);
export const puppeteer = require('puppeteer-core');

export const base = process.env.CONSOLE_URL;
export const shots = process.env.SHOTS;
let checks = 0;
export function check(ok, what) {
	if (!ok) throw new Error('FAILED: ' + what);
	checks++;
	console.log('ok ' + what);
}
export const checked = () => checks;
// A request outside the browser (a forged form, an old cookie): status, location and body.
export function raw(method, path, { cookie = '', body = '', type = 'application/x-www-form-urlencoded', headers = {} } = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(path, base);
		const req = http.request(u, { method, headers: { Cookie: cookie, 'Content-Type': type,
			'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
			const parts = [];
			res.on('data', (c) => parts.push(c));
			res.on('end', () => {
				const bytes = Buffer.concat(parts);
				resolve({ status: res.statusCode, location: res.headers.location, type: res.headers['content-type'],
					headers: res.headers, bytes, body: bytes.toString('utf8') });
			});
		});
		req.on('error', reject);
		req.end(body);
	});
}
export async function launch(extra = []) {
	return puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: 'new',
		args: ['--no-sandbox', '--disable-gpu', '--lang=vi-VN', '--font-render-hinting=none', ...extra] });
}
// Log in, each in its own cookie jar, as on another PC.
export async function login(browser, user, password) {
	const pg = await (await browser.createIncognitoBrowserContext()).newPage();
	await pg.setViewport({ width: 1280, height: 900 });
	await pg.goto(base + '/login');
	await pg.type('input[name=user]', user);
	await pg.type('input[name=password]', password);
	await Promise.all([pg.waitForNavigation(), pg.click('button[type=submit]')]);
	return pg;
}
// The session cookie and the CSRF token of a page (for forged requests with a real session).
export async function session(pg) {
	const cookie = 'spean_s=' + (await pg.cookies()).find((c) => c.name === 'spean_s').value;
	const csrf = await pg.$eval('input[name=csrf]', (e) => e.value);
	return { cookie, csrf };
}
