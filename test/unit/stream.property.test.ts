/**
 * Property: however the network cuts a stream into reads, the reader yields exactly the
 * events that were sent, the same as for the stream read in one piece.
 */
import fc from 'fast-check';

import { readGeminiStream } from '../../nodes/shared/gemini/sse-reader';
import type { GeminiResponseChunk } from '../../nodes/shared/gemini/types';
import { asStream } from '../helpers/fixtures';
import { encodeSse } from '../standin/sse';

const part = fc.record(
	{ text: fc.string({ unit: 'grapheme', maxLength: 24 }), thought: fc.constant(true) },
	{ requiredKeys: ['text'] },
);

const chunk: fc.Arbitrary<GeminiResponseChunk> = fc.oneof(
	fc.record({
		candidates: fc.tuple(
			fc.record(
				{
					content: fc.record({
						role: fc.constant('model'),
						parts: fc.array(part, { maxLength: 3 }),
					}),
					finishReason: fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'SOMETHING_NEW'),
				},
				{ requiredKeys: ['content'] },
			),
		),
	}),
	fc.record({ usageMetadata: fc.record({ totalTokenCount: fc.nat() }) }),
	fc.constant({}),
);

const stream = fc
	.record({
		events: fc.array(chunk, { maxLength: 12 }),
		framing: fc.constantFrom('lf' as const, 'crlf' as const),
		omitFinalBlankLine: fc.boolean(),
		comment: fc.option(fc.constantFrom('PING', 'keep-alive'), { nil: undefined }),
	})
	.chain((spec) => {
		const bytes = Buffer.from(
			encodeSse(spec.events, {
				framing: spec.framing,
				omitFinalBlankLine: spec.omitFinalBlankLine,
				commentBeforeEach: spec.comment,
			}),
		);
		return fc.record({
			events: fc.constant(spec.events),
			bytes: fc.constant(bytes),
			cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), {
				maxLength: 40,
			}),
		});
	});

async function readAll(pieces: Buffer[]): Promise<GeminiResponseChunk[]> {
	const chunks: GeminiResponseChunk[] = [];
	for await (const parsed of readGeminiStream(asStream(pieces))) chunks.push(parsed);
	return chunks;
}

function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
	const points = [
		0,
		...[...cuts].sort((a, b) => a - b).filter((cut) => cut < bytes.length),
		bytes.length,
	];
	return points.slice(1).map((end, index) => bytes.subarray(points[index], end));
}

test('any split of any stream into reads gives the events sent, as the unsplit stream does', async () => {
	await fc.assert(
		fc.asyncProperty(stream, async ({ events, bytes, cuts }) => {
			const whole = await readAll([bytes]);
			const split = await readAll(cutAt(bytes, cuts));
			expect(split).toEqual(whole);
			expect(whole).toEqual(events);
		}),
		{ numRuns: 300 },
	);
});
