// Cross-check: the same raster through @point-of-sale/receipt-printer-encoder (npm, someone else's
// ESC/POS writer) must carry exactly the raster bytes ours does. Usage: node crosscheck.cjs IN.pbm
const fs = require('fs');
const E = require('@point-of-sale/receipt-printer-encoder');
const Encoder = E.default || E;
const pbm = fs.readFileSync(process.argv[2]);
const m = /^P4\s+(\d+)\s+(\d+)\s/.exec(pbm.toString('latin1', 0, 64));
const w = +m[1], h0 = +m[2], stride = w / 8;
const bits = pbm.subarray(m[0].length);
const h = Math.ceil(h0 / 8) * 8; // their raster wants whole 8-row groups: white rows added
const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
for (let y = 0; y < h0; y++)
	for (let x = 0; x < w; x++)
		if (bits[y * stride + (x >> 3)] & (0x80 >> (x & 7))) rgba.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
const out = Buffer.from(new Encoder({ language: 'esc-pos', imageMode: 'raster' })
	.initialize().image({ data: rgba, width: w, height: h }, w, h, 'threshold', 128).encode());
// Their GS v 0 bands, concatenated.
let theirs = [], i = 0, bands = 0;
while ((i = out.indexOf(Buffer.from([0x1d, 0x76, 0x30]), i)) >= 0) {
	const xb = out[i + 4] | out[i + 5] << 8, rows = out[i + 6] | out[i + 7] << 8;
	if (xb !== stride) { console.log(`width ${xb * 8} != ${w}`); process.exit(1); }
	theirs.push(out.subarray(i + 8, i + 8 + xb * rows));
	i += 8 + xb * rows;
	bands++;
}
theirs = Buffer.concat(theirs);
const ours = Buffer.concat([bits.subarray(0, stride * h0), Buffer.alloc(stride * (h - h0))]);
if (theirs.length !== ours.length || !theirs.equals(ours)) {
	console.log(`raster differs: theirs ${theirs.length} bytes in ${bands} bands, ours ${ours.length}`);
	process.exit(1);
}
console.log(`same raster: ${w} x ${h} dots, ${bands} bands from the other encoder`);
