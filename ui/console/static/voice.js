/*
 * The Khmer voice page (/content/voice): record a prompt from the microphone, play it back, keep it. The take
 * is sent as it was heard (16-bit mono WAV at the microphone's rate); the center trims the silence, levels it
 * and makes the kiosk's file. Every word shown comes from the page (the catalog), none from here. Without
 * this script the page still takes a WAV file per prompt.
 */
'use strict';
(() => {
	const box = document.getElementById('voice');
	if (!box || !navigator.mediaDevices || !window.AudioContext)
		return;
	const t = box.dataset;
	const takes = new Map(); // key -> the last take (a WAV Blob)
	let rec = null;          // the take being recorded

	const row = key => box.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
	const say = (key, text) => { row(key).querySelector('.status').textContent = text; };

	for (const b of box.querySelectorAll('button[data-record]')) {
		b.hidden = false;
		b.addEventListener('click', () => toggle(b));
	}
	for (const b of box.querySelectorAll('button[data-keep]')) {
		b.hidden = false;
		b.addEventListener('click', () => keep(b));
	}

	async function toggle(b) {
		const key = b.dataset.record;
		const same = rec && rec.key === key;
		if (rec)
			await stop();
		if (same)
			return;
		let stream;
		try {
			// The voice as spoken: the center levels it; the browser's processing would pump the silence.
			stream = await navigator.mediaDevices.getUserMedia(
				{audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1}});
		} catch (e) {
			say(key, t.denied);
			return;
		}
		const ctx = new AudioContext();
		const src = ctx.createMediaStreamSource(stream);
		const node = ctx.createScriptProcessor(4096, 1, 1);
		const chunks = [];
		node.onaudioprocess = e => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
		src.connect(node);
		node.connect(ctx.destination); // a processor runs only when connected; it writes silence
		rec = {key, ctx, stream, src, node, chunks, button: b};
		b.textContent = t.stop;
		say(key, t.recording);
	}

	async function stop() {
		const r = rec;
		rec = null;
		r.src.disconnect();
		r.node.disconnect();
		for (const track of r.stream.getTracks())
			track.stop();
		const rate = r.ctx.sampleRate;
		await r.ctx.close();
		r.button.textContent = t.record;
		const blob = wav(r.chunks, rate);
		takes.set(r.key, blob);
		const tr = row(r.key), a = tr.querySelector('audio.take');
		if (a.src)
			URL.revokeObjectURL(a.src);
		a.src = URL.createObjectURL(blob);
		a.hidden = false;
		tr.querySelector('button[data-keep]').disabled = false;
		say(r.key, t.listen);
	}

	async function keep(b) {
		const key = b.dataset.keep, blob = takes.get(key);
		if (!blob)
			return;
		b.disabled = true;
		say(key, t.saving);
		let res, text;
		try {
			res = await fetch('/content/voice/' + encodeURIComponent(key), {
				method: 'POST', credentials: 'same-origin', body: blob,
				headers: {'Content-Type': 'audio/wav', 'X-Spean-Csrf': t.csrf},
			});
			text = await res.text();
		} catch (e) {
			say(key, t.failed);
			b.disabled = false;
			return;
		}
		say(key, text);
		if (!res.ok) {
			b.disabled = false;
			return;
		}
		const tr = row(key), saved = tr.querySelector('audio.saved');
		saved.src = '/content/voice/' + encodeURIComponent(key) + '.wav?t=' + Date.now();
		saved.hidden = false;
		const none = tr.querySelector('.none');
		if (none)
			none.hidden = true;
		tr.dataset.recorded = '1';
	}

	// 16-bit PCM, mono, at the rate it was captured: a canonical 44-byte header, then the samples.
	function wav(chunks, rate) {
		const n = chunks.reduce((sum, c) => sum + c.length, 0);
		const out = new DataView(new ArrayBuffer(44 + 2 * n));
		const text = (at, s) => { for (let i = 0; i < s.length; i++) out.setUint8(at + i, s.charCodeAt(i)); };
		text(0, 'RIFF');
		out.setUint32(4, 36 + 2 * n, true);
		text(8, 'WAVE');
		text(12, 'fmt ');
		out.setUint32(16, 16, true);
		out.setUint16(20, 1, true);
		out.setUint16(22, 1, true);
		out.setUint32(24, rate, true);
		out.setUint32(28, rate * 2, true);
		out.setUint16(32, 2, true);
		out.setUint16(34, 16, true);
		text(36, 'data');
		out.setUint32(40, 2 * n, true);
		let at = 44;
		for (const c of chunks)
			for (const x of c) {
				const v = Math.max(-1, Math.min(1, x));
				out.setInt16(at, v < 0 ? v * 0x8000 : v * 0x7fff, true);
				at += 2;
			}
		return new Blob([out.buffer], {type: 'audio/wav'});
	}
})();
