// tests/console/content.mjs: content from the office in Debian's chromium: the director uploads a commune list
// (a bad one refused), a reviewer approves and corrects Khmer strings beside their Vietnamese and the kiosk's
// screens, a Khmer prompt is recorded from the microphone (chromium's fake capture device plays VOICE_WAV), and
// the director signs the draft. Env: CONSOLE_URL, SHOTS, VOICE_WAV, COMMUNES_BAD, COMMUNES_GOOD.
import { base, shots, check, checked, raw, launch, login, session } from './lib.mjs';

const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
	'--use-file-for-fake-audio-capture=' + process.env.VOICE_WAV, '--autoplay-policy=no-user-gesture-required']);
const text = (pg, sel) => pg.$eval(sel, (e) => e.textContent);
try {
	const dir = await login(browser, 'bientap', 'content-director-9'); // giamdoc is locked out by console.mjs's failed logins
	let res = await dir.goto(base + '/content');
	check(res.status() === 200 && (await text(dir, '#check')).includes('Đạt'), 'the draft passes the content check');
	check((await text(dir, '#published')).includes('chưa có'), 'nothing published yet');
	const communes0 = Number(await text(dir, '#communes'));
	const todo0 = (await text(dir, '#km-todo')).match(/^(\d+) \/ (\d+)/);
	check(todo0 && todo0[1] === todo0[2] && Number(todo0[2]) > 100, 'every Khmer string unreviewed at first (' + todo0[0] + ')');
	await dir.screenshot({ path: shots + '/content.png', fullPage: true });

	// A commune list the kiosk would refuse: the reason shown, the draft unchanged.
	await dir.select('#upload select[name=name]', 'communes.txt');
	let input = await dir.$('#upload input[type=file]');
	await input.uploadFile(process.env.COMMUNES_BAD);
	[res] = await Promise.all([dir.waitForNavigation(), dir.click('#upload button')]);
	check(res.status() === 422 && (await text(dir, '#message')).includes('communes.txt'), 'a bad commune list is refused, saying why: ' +
		(await text(dir, '#message')).replace(/\s+/g, ' '));
	check(Number(await text(dir, '#communes')) === communes0, 'and the draft keeps its list');
	await dir.screenshot({ path: shots + '/content-refused.png' });
	// The good one: one commune renamed, one added.
	await dir.select('#upload select[name=name]', 'communes.txt');
	input = await dir.$('#upload input[type=file]');
	await input.uploadFile(process.env.COMMUNES_GOOD);
	[res] = await Promise.all([dir.waitForNavigation(), dir.click('#upload button')]);
	check(res.status() === 200 && Number(await text(dir, '#communes')) === communes0 + 1, 'the new commune list is checked and saved');

	// A clerk sees the draft but cannot change what goes to every kiosk.
	const clerk = await login(browser, 'an', 'clerk-password-1');
	await clerk.goto(base + '/content');
	check(await clerk.$('#upload') === null && await clerk.$('#publish') === null, 'a clerk has no upload or publish form');
	const cs = await session(clerk);
	res = await raw('POST', '/content/publish', { cookie: cs.cookie, body: 'csrf=' + cs.csrf + '&version=1' });
	check(res.status === 403, 'and a forged publish from a clerk is refused (403)');

	// The Khmer review: each string beside its Vietnamese and the kiosk screens it appears on.
	const rev = await login(browser, 'an', 'clerk-password-1');
	await rev.goto(base + '/content/km');
	const rows = await rev.$$eval('section.review', (ss) => ss.map((s) => ({ key: s.dataset.key,
		vi: s.querySelector('p[lang=vi]').textContent, km: s.querySelector('textarea').value,
		shots: [...s.querySelectorAll('.shots img')].map((i) => i.getAttribute('src')) })));
	check(rows.length === 20 && rows.every((r) => r.vi && r.km), 'a page of 20 unreviewed strings, each with its Vietnamese');
	const withShot = rows.filter((r) => r.shots.length);
	check(withShot.length >= 5, withShot.length + ' of them with the kiosk screen they appear on');
	check(withShot.some((r) => r.shots.some((u) => u.includes('-km'))), 'Khmer screens first');
	const img = await rev.$eval('section.review .shots img', (i) => new Promise((ok) => i.complete ? ok(i.naturalWidth) :
		(i.onload = () => ok(i.naturalWidth), i.onerror = () => ok(0))));
	check(img > 0, 'the screen loads (' + img + ' px wide)');
	await rev.screenshot({ path: shots + '/review.png' });
	const first = rows[0], second = rows[1];
	[res] = await Promise.all([rev.waitForNavigation(), rev.click(`section[data-key="${first.key}"] button`)]);
	check(res.status() === 200 && (await text(rev, '#message')).includes('Đã duyệt'), 'a reviewer approves ' + first.key + ' as it is');
	check(await rev.$(`section[data-key="${first.key}"]`) === null, 'and it leaves the list of those to review');
	const fixed = second.km + ' ជា';
	await rev.$eval(`section[data-key="${second.key}"] textarea`, (t, v) => { t.value = v; }, fixed);
	[res] = await Promise.all([rev.waitForNavigation(), rev.click(`section[data-key="${second.key}"] button`)]);
	check(res.status() === 200 && (await text(rev, '#message')).includes('Đã sửa và duyệt'), 'another is corrected and approved');
	const todo1 = (await text(rev, '#todo')).match(/^(\d+)/)[1];
	check(Number(todo1) === Number(todo0[1]) - 2, 'two fewer to review (' + todo1 + ')');
	await rev.goto(base + '/content/km?all=1');
	check((await rev.$eval(`section[data-key="${second.key}"] textarea`, (t) => t.value)) === fixed &&
		(await text(rev, `section[data-key="${second.key}"] h2`)).includes('an'), 'the correction is kept, with who approved it');
	const rs = await session(rev);
	const post = (key, t) => raw('POST', '/content/km', { cookie: rs.cookie,
		body: 'csrf=' + rs.csrf + '&key=' + encodeURIComponent(key) + '&text=' + encodeURIComponent(t) });
	res = await post(second.key, 'hai\ndòng');
	check(res.status === 400 && res.body.includes('một dòng'), 'a text of two lines is refused');
	res = await post(second.key, 'abc\u202Eevil');
	check(res.status === 400, 'a direction override is refused');
	res = await post('outcome.staff_review.body', 'គ្មាន');
	check(res.status === 400 && res.body.includes('chỗ điền'), 'a correction that drops {groups} is refused');
	res = await post('no.such.key', 'x');
	check(res.status === 404, 'an unknown key is refused');

	// The Khmer voice: record from the microphone (the fake device plays a spoken tone), play it back, keep it.
	const vo = await login(browser, 'an', 'clerk-password-1');
	await vo.goto(base + '/content/voice');
	const vkey = await vo.$eval('tr[data-key]', (tr) => tr.dataset.key);
	check(await vo.$eval('#count', (e) => e.textContent.startsWith('0 /')), 'no Khmer prompt recorded yet');
	await vo.click(`button[data-record="${vkey}"]`);
	await vo.waitForFunction((k) => document.querySelector(`tr[data-key="${k}"] .status`).textContent.length > 0, {}, vkey);
	await new Promise((ok) => setTimeout(ok, 3000));
	await vo.click(`button[data-record="${vkey}"]`);
	await vo.waitForSelector(`tr[data-key="${vkey}"] audio.take:not([hidden])`);
	const take = await vo.$eval(`tr[data-key="${vkey}"] audio.take`, (a) => new Promise((ok) => {
		if (a.readyState >= 1) ok(a.duration); else a.onloadedmetadata = () => ok(a.duration);
	}));
	check(take > 2 && take < 5, 'the take plays back in the page (' + take.toFixed(2) + ' s)');
	await vo.screenshot({ path: shots + '/voice-take.png' });
	await vo.click(`button[data-keep="${vkey}"]`);
	await vo.waitForFunction((k) => document.querySelector(`tr[data-key="${k}"]`).dataset.recorded === '1' ||
		/không|Không/.test(document.querySelector(`tr[data-key="${k}"] .status`).textContent), { timeout: 20000 }, vkey);
	const said = await text(vo, `tr[data-key="${vkey}"] .status`);
	check(said.startsWith('Đã lưu'), 'kept: ' + said);
	const secs = Number(said.match(/([\d.]+) giây/)[1]);
	check(secs < take && secs > 0.3, 'the silence around the voice is cut (' + secs + ' s of ' + take.toFixed(2) + ' s)');
	await vo.screenshot({ path: shots + '/voice.png' });
	await vo.goto(base + '/content/voice');
	check(await vo.$eval('#count', (e) => e.textContent.startsWith('1 /')), 'one Khmer prompt recorded');
	const vs = await session(vo);
	res = await raw('GET', '/content/voice/' + vkey + '.wav', { cookie: vs.cookie });
	check(res.status === 200 && res.bytes.subarray(0, 4).toString() === 'RIFF' && res.bytes.readUInt32LE(24) === 22050 &&
		res.bytes.readUInt16LE(22) === 1 && res.bytes.readUInt16LE(34) === 16, 'the kept prompt is 16-bit mono 22050 Hz WAV');
	res = await raw('POST', '/content/voice/' + vkey, { cookie: vs.cookie, type: 'audio/wav', body: 'not a wav at all',
		headers: { 'X-Spean-Csrf': vs.csrf } });
	check(res.status === 422 && res.body.includes('không dùng được'), 'a body that is not a WAV is refused: ' + res.body);
	res = await raw('POST', '/content/voice/' + vkey, { cookie: vs.cookie, type: 'audio/wav', body: 'RIFF' });
	check(res.status === 403, 'a recording without the CSRF header is refused');
	res = await raw('GET', '/content/shot/..%2F..%2Fcenter.key', { cookie: vs.cookie });
	check(res.status === 404, 'a shot name is never a path');
	res = await raw('GET', '/content/voice/..%2F..%2F..%2Fcenter.key.wav', { cookie: vs.cookie });
	check(res.status === 404, 'nor is a recording\'s');

	// Publish: the director signs the draft; the old page cannot publish twice.
	await dir.goto(base + '/content');
	const stale = await session(dir);
	[res] = await Promise.all([dir.waitForNavigation(), dir.click('#publish button')]);
	check(res.status() === 200 && (await text(dir, '#done')).includes('phiên bản 1'), 'the director signs version 1: ' +
		await text(dir, '#done'));
	res = await raw('POST', '/content/publish', { cookie: stale.cookie, body: 'csrf=' + stale.csrf + '&version=1' });
	check(res.status === 409, 'the same page cannot publish again (409)');
	await dir.goto(base + '/content');
	check((await text(dir, '#published')).includes('1'), 'version 1 is the published pack');
	await dir.goto(base + '/audit');
	const audit = await dir.$$eval('#audit tbody tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
	for (const a of ['content_upload', 'km_approved', 'km_corrected', 'voice_recorded', 'content_published'])
		check(audit.includes(a), 'the audit log has ' + a);
	console.log(checked() + ' checks passed');
} finally {
	await browser.close();
}
