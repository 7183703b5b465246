/**
 * Property: decoding read by read gives exactly the text of a streaming TextDecoder, and of
 * the whole stream decoded at once, for any bytes (valid UTF-8 or not) cut anywhere.
 */
import fc from 'fast-check';

import { Utf8Reads } from '../../nodes/shared/gemini/utf8-reads';

/** Bytes biased towards lead, continuation and never-valid bytes, so bad sequences are common. */
const byte = fc.oneof(
	fc.integer({ min: 0, max: 255 }),
	fc.constantFrom(0x41, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xbb),
	fc.constantFrom(0xf0, 0xf4, 0xf5, 0xff, 0x90),
);

const bytes = fc.oneof(
	fc.array(byte, { maxLength: 40 }).map((list) => Uint8Array.from(list)),
	fc.string({ unit: 'grapheme', maxLength: 20 }).map((text) => Buffer.from(text, 'utf8')),
	fc
		.string({ unit: 'grapheme', maxLength: 12 })
		.map((text) => Buffer.from(`\uFEFF${text}`, 'utf8')),
);

const split = bytes.chain((all) =>
	fc.record({
		all: fc.constant(all),
		cuts: fc.uniqueArray(fc.integer({ min: 0, max: all.length }), { maxLength: 12 }),
	}),
);

function piecesOf(all: Uint8Array, cuts: number[]): Uint8Array[] {
	const points = [0, ...[...cuts].sort((a, b) => a - b), all.length];
	return points.slice(1).map((end, index) => all.subarray(points[index], end));
}

test('any bytes cut anywhere decode as a streaming TextDecoder decodes them', () => {
	fc.assert(
		fc.property(split, ({ all, cuts }) => {
			const pieces = piecesOf(all, cuts);
			const reference = new TextDecoder('utf-8');
			let expected = '';
			for (const piece of pieces) expected += reference.decode(piece, { stream: true });
			expected += reference.decode();
			const reads = new Utf8Reads();
			let text = '';
			for (const piece of pieces) text += reads.decode(piece);
			text += reads.end();
			expect(text).toBe(expected);
			expect(text).toBe(new TextDecoder('utf-8').decode(all));
		}),
		{ numRuns: 3000 },
	);
});

test('a byte order mark is dropped at the start of the stream only, even when cut', () => {
	const bom = [0xef, 0xbb, 0xbf];
	const reads = new Utf8Reads();
	const text = [[bom[0]], [bom[1]], [bom[2], 0x41, ...bom], [0x42]]
		.map((list) => reads.decode(Uint8Array.from(list)))
		.join('');
	expect(text + reads.end()).toBe('A\uFEFFB');
});
