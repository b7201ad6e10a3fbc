// tests/console/console.mjs: the office console in Debian's chromium (puppeteer-core), as staff use it.
// Env: CONSOLE_URL, IDS (lines "label id"), SHOTS (screenshot dir). Exits non-zero at the first failed check.
import fs from 'fs';
import { base, shots, check, checked, raw, launch, login as loginIn } from './lib.mjs';

const ids = Object.fromEntries(fs.readFileSync(process.env.IDS, 'utf8').trim().split('\n').map((l) => l.split(' ')));
const code = (id) => (id.slice(0, 4) + '-' + id.slice(4, 8)).toUpperCase();
let r0;
const rowsOf = (page) => page.$$eval('#inbox tbody tr', (trs) => trs.map((tr) => ({
	n: tr.dataset.n, code: tr.cells[0].textContent.trim(), name: tr.cells[2].textContent,
	deadline: tr.cells[5].textContent, urgent: tr.classList.contains('urgent') })));
const countText = (page) => page.$eval('#count', (e) => e.textContent);

const browser = await launch();
const login = (user, password) => loginIn(browser, user, password);
// The center key under lock (console_test.sh locks it and restarts the center in between).
if (process.env.MODE === 'unlock') {
	try {
		const clerk = await login('an', 'clerk-password-1');
		check((await clerk.$eval('#locked', (e) => e.textContent)).includes('Giám đốc cần mở khóa'), 'a clerk is told the key is locked and who opens it');
		check(await clerk.$('#locked form') === null, 'and has no form to open it');
		check(await clerk.$('#empty') !== null, 'nothing is listed while it is locked');
		const n = (await raw('GET', '/r/1', { cookie: 'spean_s=' + (await clerk.cookies()).find((c) => c.name === 'spean_s').value })).status;
		check(n === 503, 'a request page says the key is locked (503)');
		const dir = await login('giamdoc', 'director-pass-22');
		await dir.screenshot({ path: shots + '/locked.png' });
		await dir.type('#locked input[name=passphrase]', 'not the passphrase');
		let [res] = await Promise.all([dir.waitForNavigation(), dir.click('#locked button')]);
		check(res.status() === 403 && (await dir.$eval('.error p', (e) => e.textContent)).includes('Sai mật khẩu khóa') ||
			(await dir.content()).includes('Sai mật khẩu khóa'), 'a wrong passphrase keeps it locked, saying so');
		await dir.goto(base + '/');
		await dir.type('#locked input[name=passphrase]', 'khoa trung tam 2026');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#locked button')]);
		check(res.status() === 200 && await dir.$('#locked') === null, 'the director unlocks it');
		check((await countText(dir)).includes('63 yêu cầu'), 'and the inbox lists the requests again');
		// A new passphrase for the key, from the audit page: a wrong current one refused, then changed and back.
		const change = async (cur, next, again) => {
			await dir.goto(base + '/audit');
			await dir.type('#passphrase input[name=passphrase]', cur);
			await dir.type('#passphrase input[name=password]', next);
			await dir.type('#passphrase input[name=to]', again);
			const [r] = await Promise.all([dir.waitForNavigation(), dir.click('#passphrase button')]);
			return r.status();
		};
		check(await change('not the passphrase', 'khoa moi 2027 abc', 'khoa moi 2027 abc') === 403, 'a wrong current passphrase changes nothing');
		check(await change('khoa trung tam 2026', 'khoa moi 2027 abc', 'khoa moi 2027 xyz') === 400, 'two different new ones change nothing');
		check(await change('khoa trung tam 2026', 'khoa moi 2027 abc', 'khoa moi 2027 abc') === 200 &&
			(await dir.$eval('#done', (e) => e.textContent)).includes('Đã đổi mật khẩu'), 'the director changes the passphrase');
		check(await change('khoa trung tam 2026', 'khoa trung tam 2026', 'khoa trung tam 2026') === 403, 'the old one opens nothing now');
		check(await change('khoa moi 2027 abc', 'khoa trung tam 2026', 'khoa trung tam 2026') === 200, 'and changed back with the new one');
		console.log(checked() + ' checks passed');
	} finally {
		await browser.close();
	}
	process.exit(0);
}
// Restore from the console (console_test.sh runs it on the restored copy r3 with a backup in its backups/).
if (process.env.MODE === 'restore') {
	try {
		const dir = await login('bientap', 'content-director-9');
		await dir.goto(base + '/audit');
		const names = await dir.$$eval('#restore option', (os) => os.map((o) => o.value));
		check(names.includes('b.spbak'), 'the restore form lists the backups in backups/ (' + names.join(' ') + ')');
		await dir.select('#restore select[name=name]', 'b.spbak');
		await dir.type('#restore input[name=passphrase]', 'not the passphrase');
		let [res] = await Promise.all([dir.waitForNavigation(), dir.click('#restore button')]);
		check(res.status() === 403 && (await dir.content()).includes('Sai mật khẩu sao lưu'), 'a wrong passphrase restores nothing');
		const s = await dir.cookies();
		res = await raw('POST', '/restore', { cookie: 'spean_s=' + s.find((c) => c.name === 'spean_s').value,
			body: 'csrf=' + (await dir.$eval('input[name=csrf]', (e) => e.value)) + '&name=..%2F..%2Fetc%2Fpasswd&passphrase=x' });
		check(res.status === 400, 'a name that is not a backup in backups/ is refused');
		await dir.goto(base + '/audit');
		await dir.select('#restore select[name=name]', 'b.spbak');
		await dir.type('#restore input[name=passphrase]', 'sao luu trung tam 1');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#restore button')]);
		check(res.status() === 200 && (await dir.$eval('#done', (e) => e.textContent)).includes('khởi động lại'),
			'the director restores it: the center starts again on it');
		await dir.screenshot({ path: shots + '/restore.png' });
		console.log(checked() + ' checks passed');
	} finally {
		await browser.close();
	}
	process.exit(0);
}
if (process.env.MODE === 'lock') {
	try {
		const dir = await login('giamdoc', 'director-pass-22');
		let res;
		check((await countText(dir)).includes('65 yêu cầu'), 'the two requests a kiosk held while it was locked arrived once unlocked');
		await dir.goto(base + '/audit');
		const audit = await dir.$$eval('#audit tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
		check(audit.some((a) => a[2] === 'giamdoc' && a[3] === 'key_unlock') && audit.some((a) => a[3] === 'key_unlock_failed'),
			'the audit log has the unlock and the failed try');
		// Accounts from the console: the director adds one, disables another (whose sessions end), refuses a taken login.
		await dir.goto(base + '/users');
		await dir.type('#add input[name=user]', 'tgv3');
		await dir.select('#add select[name=role]', 'officer');
		await dir.type('#add input[name=password]', 'officer-pass-555');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#add button')]);
		check(res.status() === 200 && await dir.$('#users tr[data-login=tgv3]') !== null, 'the director adds an officer');
		const t2 = await login('tgv2', 'officer-pass-444');
		check(new URL(t2.url()).pathname === '/', 'tgv2 is signed in');
		await dir.goto(base + '/users');
		check(await dir.$('#users tr[data-login=giamdoc] form') === null, 'no one can disable themself');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#users tr[data-login=tgv2] button')]);
		check(await dir.$('#users tr[data-login=tgv2]') === null, 'the director disables tgv2');
		res = await t2.goto(base + '/');
		check(new URL(t2.url()).pathname === '/login', 'and tgv2\'s open session ends at once');
		const t2b = await login('tgv2', 'officer-pass-444');
		check(new URL(t2b.url()).pathname === '/login', 'nor can tgv2 log in again');
		const t3 = await login('tgv3', 'officer-pass-555');
		check(new URL(t3.url()).pathname === '/', 'the new officer logs in');
		res = await t3.goto(base + '/users');
		check(res.status() === 403, 'an officer cannot manage accounts');
		await dir.type('#add input[name=user]', 'an');
		await dir.type('#add input[name=password]', 'another-pass-1');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#add button')]);
		check(res.status() === 409, 'a taken login is refused');
		// Statistics: the voided test request left out, by kiosk, state and result, drawn as SVG by the server.
		await dir.goto(base + '/stats');
		check(await dir.$eval('#summary', (e) => e.dataset.total) === '65' &&
			(await dir.$eval('#summary', (e) => e.textContent)).includes('1 yêu cầu đã hủy'), 'statistics count 65, the voided one left out');
		const bars = await dir.$$eval('svg.chart g', (gs) => gs.map((g) => g.dataset.key + '=' + g.dataset.count));
		check(bars.includes('closed=1') && bars.includes('advice_given=1') && bars.includes('km=1'),
			'by state, result and language');
		check(bars.includes('UBND xã Long Đức=63') && bars.includes('Điểm lưu động Trà Cú=2'), 'by kiosk, under its name');
		await dir.screenshot({ path: shots + '/stats.png', fullPage: true });
		res = await dir.goto(base + '/stats?from=not-a-date');
		check(res.status() === 400, 'a bad date range is refused');
		// The same figures as XLSX, from the page's link (the shell reads the workbook).
		await dir.goto(base + '/stats');
		const href = await dir.$eval('#stats-xlsx', (a) => a.getAttribute('href'));
		const xl = await raw('GET', href, { cookie: 'spean_s=' + (await dir.cookies()).find((c) => c.name === 'spean_s').value });
		check(xl.status === 200 && xl.type.includes('spreadsheetml') && xl.bytes.subarray(0, 2).toString() === 'PK',
			'the statistics download as XLSX');
		fs.writeFileSync(shots + '/stats.xlsx', xl.bytes);
		// The fleet: every contact kept; rename a kiosk, revoke another (the shell then sees its sync refused).
		await dir.goto(base + '/kiosks');
		const fleet = await dir.$$eval('#fleet tbody tr', (trs) => trs.map((tr) => ({ key: tr.dataset.key,
			name: tr.cells[0].textContent, last: tr.querySelector('.last').textContent,
			held: tr.querySelector('.held').textContent, requests: tr.querySelector('.requests').textContent })));
		check(fleet.length === 2 && fleet.every((k) => /^20\d\d-\d\d-\d\d \d\d:\d\d \(0 /.test(k.last)), 'both kiosks, each with its last contact today');
		const k1 = fleet.find((k) => k.name.startsWith('UBND')), k2 = fleet.find((k) => k.name.startsWith('Điểm'));
		const facts = await dir.$eval(`#fleet tr[data-key="${k1.key}"] .facts`, (e) => e.textContent);
		check(facts.includes('phiên bản 0.1.0') && facts.includes('KHẨN đang giữ: 0') && /còn trống \d+ MiB/.test(facts),
			'what the kiosk said of itself: program, urgent held, free space (' + facts + ')');
		const refused = await dir.$eval(`#fleet tr[data-key="${k1.key}"] .facts`, (e) => e.textContent);
		check(refused.includes('TỪ CHỐI GÓI') && refused.includes('gói nội dung 2') && refused.includes('nội dung gói không đạt kiểm tra'),
			'the pack the kiosk refused, beside it: ' + refused.replace(/\s+/g, ' '));
		check(k1.held === '2' && k1.requests === '64' && k2.requests === '2', 'what each held at its last contact and delivered (' + JSON.stringify(fleet) + ')');
		await dir.$eval(`#fleet tr[data-key="${k2.key}"] form.rename input[name=code0]`, (e) => { e.value = ''; });
		await dir.type(`#fleet tr[data-key="${k2.key}"] form.rename input[name=code0]`, 'Điểm lưu động Trà Cú (xe 2)');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click(`#fleet tr[data-key="${k2.key}"] form.rename button`)]);
		check((await dir.$eval(`#fleet tr[data-key="${k2.key}"]`, (e) => e.cells[0].textContent)).startsWith('Điểm lưu động Trà Cú (xe 2)'), 'the director renames a kiosk');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click(`#fleet tr[data-key="${k2.key}"] form.revoke button`)]);
		check((await dir.$eval(`#fleet tr[data-key="${k2.key}"]`, (e) => e.textContent)).includes('ĐÃ THU HỒI'), 'and revokes it');
		await dir.screenshot({ path: shots + '/fleet.png', fullPage: true });
		// The backup button: the whole center sealed by a passphrase, into the data dir's backups/.
		await dir.goto(base + '/audit');
		await dir.type('#backup input[name=passphrase]', 'sao luu trung tam 1');
		[res] = await Promise.all([dir.waitForNavigation(), dir.click('#backup button')]);
		check(res.status() === 200 && (await dir.$eval('#done', (e) => e.textContent)).includes('/backups/spean-center-'),
			'the director backs the center up from the console, and is told where');
		await dir.goto(base + '/audit');
		await Promise.all([dir.waitForNavigation(), dir.click('#lock button')]);
		check(await dir.$('#locked form') !== null && await dir.$('#empty') !== null, 'locking again empties the inbox at once');
		console.log(checked() + ' checks passed');
	} finally {
		await browser.close();
	}
	process.exit(0);
}
try {
	const page = await browser.newPage();
	await page.setViewport({ width: 1280, height: 900 });
	let dialogs = 0;
	page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });

	// Not signed in: the inbox sends to the login page.
	let res = await page.goto(base + '/');
	check(page.url().endsWith('/login'), 'the inbox without a session goes to /login');
	check(res.headers()['content-security-policy'].includes("default-src 'none'"), 'pages carry a strict CSP');
	check(res.headers()['cache-control'] === 'no-store', 'pages are never cached');
	await page.screenshot({ path: shots + '/login.png' });

	// A wrong password: said, and the form keeps the login.
	await page.type('input[name=user]', 'an');
	await page.type('input[name=password]', 'wrong-password');
	[res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	check(res.status() === 401, 'a wrong password is refused (401, got ' + res.status() + ')');
	check((await page.$eval('.error', (e) => e.textContent)).includes('Sai tên đăng nhập hoặc mật khẩu'), 'and says so in Vietnamese');
	check(await page.$eval('input[name=user]', (e) => e.value) === 'an', 'the login is kept in the form');

	// The clerk logs in.
	await page.type('input[name=password]', 'clerk-password-1');
	[res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	check(res.status() === 200 && new URL(page.url()).pathname === '/', 'the clerk logs in to the inbox');
	const cookies = await page.cookies();
	const sess = cookies.find((c) => c.name === 'spean_s');
	check(sess && sess.httpOnly && sess.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
	check((await countText(page)).includes('64 yêu cầu'), 'the inbox counts all 64 requests');
	let rows = await rowsOf(page);
	check(rows.length === 50, 'a page holds 50 rows');
	check(rows[0].code === code(ids.urgent_near) && rows[1].code === code(ids.urgent_far),
		'KHẨN on top, the nearest deadline first (though it arrived later)');
	check(rows[0].urgent && rows[1].urgent && !rows[2].urgent, 'the two KHẨN rows are marked');
	check(/còn \d+ ngày/.test(rows[0].deadline), 'the deadline is a date with the days left');
	check(rows[2].code === code(ids.target), 'then the newest first');
	await page.screenshot({ path: shots + '/inbox.png', fullPage: false });
	// The next page.
	await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
	rows = await rowsOf(page);
	check(rows.length === 14, 'the second page holds the other 14');

	// The receipt code in any form a resident may read it out.
	for (const q of [code(ids.target), code(ids.target).toLowerCase().replace('-', ''), ' ' + ids.target.slice(0, 4) + ' - ' + ids.target.slice(4, 8), ids.target]) {
		await page.goto(base + '/');
		await page.type('input[name=q]', q);
		await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
		rows = await rowsOf(page);
		check(rows.length === 1 && rows[0].code === code(ids.target), `the receipt code as '${q}' finds the request`);
	}
	// A name without its accents, a phone without its spaces.
	await page.goto(base + '/?q=' + encodeURIComponent('thach thi mau'));
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].name === 'Thạch Thị Mẫu', 'a name typed without accents finds it');
	await page.goto(base + '/?q=0912345678');
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].code === code(ids.target), 'a phone typed without spaces finds it');
	// The same search as XLSX: the link carries the filters.
	const xlsxHref = await page.$eval('#export', (e) => e.getAttribute('href'));
	r0 = await raw('GET', xlsxHref, { cookie: 'spean_s=' + (await page.cookies()).find((c) => c.name === 'spean_s').value });
	check(r0.status === 200 && r0.type.includes('spreadsheetml') && r0.bytes.subarray(0, 2).toString() === 'PK',
		'the search exports as an XLSX workbook');
	fs.writeFileSync(shots + '/export.xlsx', r0.bytes);
	await page.goto(base + '/?q=' + encodeURIComponent('សុខ'));
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].code === code(ids.urgent_near), 'a Khmer name finds it');
	await page.goto(base + '/?q=nobody-here');
	check(await page.$('#empty') !== null, 'no match says so');

	// Filters through the form: urgent only, Khmer, one kiosk.
	await page.goto(base + '/');
	await page.select('select[name=urgent]', '1');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	rows = await rowsOf(page);
	check(rows.length === 2 && rows.every((r) => r.urgent), 'the urgent filter keeps the two KHẨN requests');
	await page.select('select[name=lang]', 'km');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].code === code(ids.urgent_near), 'urgent and Khmer together');
	const kiosk2 = await page.$$eval('select[name=kiosk] option', (os) => os.find((o) => o.textContent === 'Điểm lưu động Trà Cú').value);
	await page.goto(base + '/?kiosk=' + kiosk2);
	rows = await rowsOf(page);
	check(rows.length === 2, 'the kiosk filter keeps that kiosk\'s two requests');
	res = await page.goto(base + '/?from=2026-13-45');
	check(res.status() === 400 && (await page.$eval('.error', (e) => e.textContent)).includes('năm-tháng-ngày'), 'a bad date is refused with what to type');
	await page.goto(base + '/?from=' + new Date(Date.now() + 86400e3 * 2).toISOString().slice(0, 10));
	check(await page.$('#empty') !== null, 'nothing was received after tomorrow');

	// The hostile name is shown as text, and nothing runs.
	await page.goto(base + '/?q=' + encodeURIComponent('đào'));
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].name === '<img src=x onerror=alert(1)> "Đào" & Co', 'markup in a name is shown as typed');
	check(await page.$('#inbox img') === null && dialogs === 0, 'and never becomes an element or runs');

	// The request page: everything the resident entered, the outcome and the deadline, the kiosk.
	await page.goto(base + '/?q=' + code(ids.urgent_near));
	await Promise.all([page.waitForNavigation(), page.click('#inbox a')]);
	check(await page.$eval('#name', (e) => e.textContent) === 'សុខ ស្រីពៅ', 'the request page shows the Khmer name');
	check(await page.$eval('#phone', (e) => e.textContent) === '0977 888 999', 'the phone as typed, leading 0 kept');
	check(/còn \d+ ngày/.test(await page.$eval('#deadline', (e) => e.textContent)), 'the deadline with its days left');
	check(await page.$eval('#kiosk', (e) => e.textContent) === 'Điểm lưu động Trà Cú', 'the kiosk by its name');
	check((await page.$eval('#outcome', (e) => e.textContent)).includes('Luật Trợ giúp pháp lý') ||
		(await page.$eval('#outcome', (e) => e.textContent)).includes('Art.'), 'the groups with their citations');
	const openedN = new URL(page.url()).pathname.split('/')[2];
	await page.screenshot({ path: shots + '/request-km.png', fullPage: true });
	await page.goto(base + '/?q=' + code(ids.target));
	await Promise.all([page.waitForNavigation(), page.click('#inbox a')]);
	await page.screenshot({ path: shots + '/request.png', fullPage: true });
	// Mẫu 02 as a PDF, for the Khmer request and the Vietnamese one (the shell checks pages, text and fonts).
	const clerkCookie = 'spean_s=' + sess.value;
	for (const [label, n] of [['km', openedN], ['vi', new URL(page.url()).pathname.split('/')[2]]]) {
		const href = await page.$eval('#print', (e) => e.getAttribute('href'));
		r0 = await raw('GET', label === 'vi' ? href : '/r/' + n + '/form.pdf', { cookie: clerkCookie });
		check(r0.status === 200 && r0.type === 'application/pdf' && r0.bytes.subarray(0, 5).toString() === '%PDF-',
			`the form for the ${label} request is a PDF`);
		fs.writeFileSync(shots + `/form-${label}.pdf`, r0.bytes);
	}
	res = await page.goto(base + '/r/999999');
	check(res.status() === 404, 'a request that is not there: 404');

	// The case register: the clerk takes the request in and assigns it; a form made before a change is refused.
	const act = async (pg, to, selects = {}) => {
		for (const [name, value] of Object.entries(selects))
			await pg.select(`form[data-to=${to}] select[name=${name}]`, value);
		const [r] = await Promise.all([pg.waitForNavigation(), pg.click(`form[data-to=${to}] button`)]);
		return r;
	};
	const caseState = (pg) => pg.$eval('#case-state', (e) => e.dataset.state);
	await page.goto(base + '/?q=' + code(ids.target));
	await Promise.all([page.waitForNavigation(), page.click('#inbox a')]);
	const targetUrl = page.url();
	check(await caseState(page) === 'new', 'a request starts as a new case');
	await page.screenshot({ path: shots + '/case-new.png', fullPage: true });
	const stale = await browser.newPage(); // the same clerk in a second tab, on the same page
	await stale.goto(targetUrl);
	await page.bringToFront();
	res = await act(page, 'accepted');
	check(res.status() === 200 && await caseState(page) === 'accepted', 'the clerk takes it in');
	check(await page.$('form[data-to=closed]') === null, 'a clerk cannot close a case');
	await stale.bringToFront();
	res = await act(stale, 'refused', { code0: 'not_eligible' });
	check(res.status() === 409 && (await stale.$eval('.error', (e) => e.textContent)).includes('người khác'),
		'a form made before someone else\'s change is refused (409), saying why');
	await stale.close();
	await page.bringToFront();
	const officers = await page.$$eval('form[data-to=assigned] select[name=officer] option', (os) => os.map((o) => o.value).filter(Boolean));
	check(officers.join(',') === 'tgv1,tgv2', 'assignment offers the officers, no one else');
	res = await act(page, 'assigned', { officer: 'tgv1' });
	check(await caseState(page) === 'assigned' && await page.$eval('#case-officer', (e) => e.textContent) === 'tgv1', 'the clerk assigns it to tgv1');
	await page.goto(base + '/?q=' + code(ids.target));
	check((await page.$eval('#inbox tbody tr td.state', (e) => e.textContent)).includes('tgv1'), 'the inbox shows the state and the officer');
	// The hostile test request is voided: kept, but out of the inbox unless asked for.
	await page.goto(base + '/?q=' + encodeURIComponent('đào'));
	await Promise.all([page.waitForNavigation(), page.click('#inbox a')]);
	res = await act(page, 'voided', { code0: 'test' });
	check(await caseState(page) === 'voided', 'a test request is voided with its reason');
	await page.goto(base + '/');
	check((await countText(page)).includes('63 yêu cầu'), 'the inbox no longer counts it');
	await page.goto(base + '/?state=voided');
	rows = await rowsOf(page);
	check(rows.length === 1 && rows[0].code === code(ids.hostile), 'it is still there under "voided"');

	// The officer sees only the cases assigned to them, works and closes one; no more.
	const octx = await browser.createIncognitoBrowserContext();
	const op = await octx.newPage();
	await op.setViewport({ width: 1280, height: 900 });
	await op.goto(base + '/login');
	await op.type('input[name=user]', 'tgv1');
	await op.type('input[name=password]', 'officer-pass-333');
	await Promise.all([op.waitForNavigation(), op.click('button[type=submit]')]);
	rows = await rowsOf(op);
	check(rows.length === 1 && rows[0].code === code(ids.target), 'the officer\'s inbox holds only the case assigned to them');
	await op.goto(base + '/?q=' + code(ids.urgent_near));
	check(await op.$('#empty') !== null, 'a search does not reach other cases');
	res = await op.goto(base + '/r/' + openedN);
	check(res.status() === 403, 'nor does a request\'s address (403)');
	res = await op.goto(base + '/stats');
	check(res.status() === 403 && await op.$('a[href="/stats"]') === null, 'nor the office\'s statistics');
	await op.goto(targetUrl);
	check(await op.$('form[data-to=voided]') === null && await op.$('form[data-to=assigned]') === null, 'an officer cannot void or reassign');
	res = await act(op, 'in_progress');
	check(await caseState(op) === 'in_progress', 'the officer starts the work');
	const ocookie = 'spean_s=' + (await op.cookies()).find((c) => c.name === 'spean_s').value;
	const ocsrf = await op.$eval('input[name=csrf]', (e) => e.value);
	const oversion = await op.$eval('form[data-to=closed] input[name=version]', (e) => e.value);
	r0 = await raw('POST', new URL(targetUrl).pathname + '/case', { cookie: ocookie, body: `csrf=${ocsrf}&to=voided&version=${oversion}&code0=test` });
	check(r0.status === 403, 'a forged void from an officer is refused (403)');
	r0 = await raw('POST', new URL(targetUrl).pathname + '/case', { cookie: ocookie, body: `csrf=${ocsrf}&to=closed&version=${oversion}&code0=advice&code1=land&code2=nonsense` });
	check(r0.status === 400, 'a result that is not on the list is refused (400)');
	res = await act(op, 'closed', { code0: 'advice', code1: 'land', code2: 'advice_given' });
	check(await caseState(op) === 'closed', 'the officer closes it with its result');
	check(await op.$eval('#case-result', (e) => e.textContent) === 'Tư vấn pháp luật · Đất đai · Đã tư vấn xong', 'the result in words');
	const hist = await op.$$eval('#case-history div', (ds) => ds.map((d) => d.textContent));
	check(hist.length === 4 && hist[0].includes('an: Mới → Đã tiếp nhận') && hist[3].includes('tgv1: Đang thực hiện → Đã kết thúc'),
		'the history says who moved it from where to where');
	check(await op.$('form.case-action') === null, 'a closed case offers nothing more');
	await op.screenshot({ path: shots + '/case.png', fullPage: true });
	await octx.close();

	// A clerk may not read the audit log; a form without the session's token is refused.
	res = await page.goto(base + '/audit');
	check(res.status() === 403, 'the audit log is the director\'s (403 for a clerk)');
	const cookie = 'spean_s=' + sess.value;
	let r = await raw('POST', '/logout', { cookie, body: 'csrf=' + '0'.repeat(64) });
	check(r.status === 403, 'a form with another token is refused (CSRF)');
	r = await raw('POST', '/logout', { cookie, body: '' });
	check(r.status === 403, 'a form without a token is refused (CSRF)');
	r = await raw('POST', '/login', { body: 'x='.padEnd(20000, 'a') });
	check(r.status === 413, 'an oversized form is refused (413)');

	// Logging out ends the session: the old cookie no longer opens anything.
	await page.goto(base + '/');
	await Promise.all([page.waitForNavigation(), page.click('header form button')]);
	check(page.url().endsWith('/login'), 'logging out goes to the login page');
	r = await raw('GET', '/r/' + openedN, { cookie });
	check(r.status === 303 && r.location === '/login', 'the logged-out session opens nothing');

	// The director sees who opened what.
	await page.type('input[name=user]', 'giamdoc');
	await page.type('input[name=password]', 'director-pass-22');
	await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	await page.goto(base + '/audit');
	const audit = await page.$$eval('#audit tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
	check(audit.some((a) => a[2] === 'an' && a[3] === 'open' && a[4] === 'request ' + openedN), 'the audit log names who opened which request');
	check(audit.some((a) => a[2] === 'an' && a[3] === 'login_failed'), 'and the failed login');
	check(audit.some((a) => a[2] === 'tgv1' && a[3] === 'case' && a[4].endsWith(': closed')), 'and every change of a case');
	check(audit.some((a) => a[2] === 'an' && a[3] === 'print' && a[4] === 'request ' + openedN), 'and every form printed');
	check(audit.some((a) => a[2] === 'tgv1' && a[3] === 'open_refused'), 'and the officer\'s refused look at another request');
	check(!audit.some((a) => a.join(' ').includes('Thạch') || a.join(' ').includes('0912')), 'and nothing personal');
	await page.screenshot({ path: shots + '/audit.png' });

	// Failed logins are limited: after 5 for one login, even the right password waits.
	const page2 = await browser.newPage();
	for (let i = 0; i < 6; i++) {
		await page2.goto(base + '/login');
		await page2.type('input[name=user]', 'giamdoc');
		await page2.type('input[name=password]', i < 5 ? 'not-the-password' : 'director-pass-22');
		[res] = await Promise.all([page2.waitForNavigation(), page2.click('button[type=submit]')]);
	}
	check(res.status() === 429 && (await page2.$eval('.error', (e) => e.textContent)).includes('thử lại sau'),
		'after 5 failures even the right password waits, and it says how long');
	// A login form replayed without its cookie (another site's form) is refused.
	const tokenless = await raw('POST', '/login', { body: 'csrf=' + 'a'.repeat(64) + '&user=an&password=clerk-password-1' });
	check(tokenless.status === 403, 'a login without its form cookie is refused (login CSRF)');
	console.log(checked() + ' checks passed');
} finally {
	await browser.close();
}
