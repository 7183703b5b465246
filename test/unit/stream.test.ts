import {
	GeminiStreamError,
	readGeminiStream,
	readGeminiStreamBatches,
} from '../../nodes/shared/gemini/sse-reader';
import type { GeminiResponseChunk } from '../../nodes/shared/gemini/types';
import { encodeSse, rpcError, textChunk } from '../standin/sse';
import { asStream, EXPECTED, FIXTURE_NAMES, readFixture, splitBytes } from '../helpers/fixtures';

async function readAll(pieces: Array<Buffer | string>, maxEventChars?: number) {
	const chunks: GeminiResponseChunk[] = [];
	let error: unknown;
	try {
		for await (const chunk of readGeminiStream(asStream(pieces), { maxEventChars }))
			chunks.push(chunk);
	} catch (caught) {
		error = caught;
	}
	return { chunks, error };
}

function answerText(chunks: GeminiResponseChunk[]): string {
	return chunks
		.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
		.filter((part) => !part.thought)
		.map((part) => part.text ?? '')
		.join('');
}

describe('every recorded Gemini stream, at every network split', () => {
	const splits = [1, 2, 3, 5, 64, 1000, Number.MAX_SAFE_INTEGER];
	const cases = FIXTURE_NAMES.flatMap((name) => splits.map((split) => [name, split] as const));

	test.each(cases)('%s split into %d-byte reads', async (name, split) => {
		const expected = EXPECTED[name];
		const { chunks, error } = await readAll(splitBytes(readFixture(name), split));
		expect(error).toBeUndefined();
		expect(chunks).toHaveLength(expected.events);
		const whole = await readAll([readFixture(name)]);
		expect(chunks).toEqual(whole.chunks);
		if (expected.text !== undefined) expect(answerText(chunks)).toBe(expected.text);
	});

	test('the expectations cover every fixture file', () => {
		expect(Object.keys(EXPECTED).sort()).toEqual([...FIXTURE_NAMES].sort());
	});
});

describe('framing', () => {
	const events = [textChunk('Hello'), textChunk(', world')];

	test.each(['lf', 'crlf'] as const)('%s line endings', async (framing) => {
		const { chunks, error } = await readAll([encodeSse(events, { framing })]);
		expect(error).toBeUndefined();
		expect(answerText(chunks)).toBe('Hello, world');
	});

	test.each(['lf', 'crlf'] as const)(
		'a last event with no blank line after it is kept (%s)',
		async (framing) => {
			const body = encodeSse(events, { framing, omitFinalBlankLine: true });
			expect(body.endsWith('\n\n')).toBe(false);
			const { chunks } = await readAll([body]);
			expect(chunks).toHaveLength(2);
		},
	);

	test('a last event with no line ending at all is kept', async () => {
		const { chunks } = await readAll([`data: ${JSON.stringify(textChunk('only'))}`]);
		expect(answerText(chunks)).toBe('only');
	});

	test('a CR at the end of one read and LF at the start of the next make one line ending', async () => {
		const body = encodeSse(events, { framing: 'crlf' });
		const cut = body.indexOf('\r\n') + 1;
		const { chunks } = await readAll([body.slice(0, cut), body.slice(cut)]);
		expect(answerText(chunks)).toBe('Hello, world');
	});

	test('comment lines such as ": PING" are ignored', async () => {
		const { chunks, error } = await readAll([encodeSse(events, { commentBeforeEach: 'PING' })]);
		expect(error).toBeUndefined();
		expect(chunks).toHaveLength(2);
	});

	test('a byte order mark before the first event is ignored', async () => {
		const { chunks } = await readAll([Buffer.from([0xef, 0xbb, 0xbf]), encodeSse(events)]);
		expect(chunks).toHaveLength(2);
	});

	test('a multi-byte character split across reads is decoded once, whole', async () => {
		const body = Buffer.from(encodeSse([textChunk('秋风 🍂 done')]));
		const { chunks } = await readAll(splitBytes(body, 1));
		expect(answerText(chunks)).toBe('秋风 🍂 done');
	});

	test('[DONE] from OpenAI-style relays carries nothing and is skipped', async () => {
		const { chunks, error } = await readAll([encodeSse([...events, '[DONE]'])]);
		expect(error).toBeUndefined();
		expect(chunks).toHaveLength(2);
	});
});

describe('failures inside a 200 stream', () => {
	const tail = JSON.stringify(rpcError(503, 'UNAVAILABLE', 'The model is overloaded.'), null, 2);

	test.each(['lf', 'crlf'] as const)(
		'a bare google.rpc.Status body appended after events is an error, after the events (%s)',
		async (framing) => {
			const body = encodeSse([textChunk('Partial ')], { framing }) + tail;
			const { chunks, error } = await readAll(splitBytes(Buffer.from(body), 7));
			expect(answerText(chunks)).toBe('Partial ');
			expect(error).toBeInstanceOf(GeminiStreamError);
			expect((error as Error).message).toBe('503 UNAVAILABLE: The model is overloaded.');
			expect((error as GeminiStreamError).rpcError).toEqual({
				code: 503,
				status: 'UNAVAILABLE',
				message: 'The model is overloaded.',
			});
		},
	);

	test('an error sent as an SSE event is an error', async () => {
		const body = encodeSse([
			textChunk('Hi'),
			rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'),
		]);
		const { chunks, error } = await readAll([body]);
		expect(chunks).toHaveLength(1);
		expect((error as Error).message).toBe('429 RESOURCE_EXHAUSTED: Quota exceeded');
	});

	test('an event that is not valid JSON is an error quoting it', async () => {
		const { error } = await readAll([`data: {"candidates": [\n\n`]);
		expect(error).toBeInstanceOf(GeminiStreamError);
		expect((error as Error).message).toMatch(
			/^The stream sent an event that is not valid JSON: \{"candidates": \[/,
		);
	});

	test.each(['[1, 2]', '"text"', '42', 'null'])(
		'valid JSON that is not a response (%s) is an error',
		async (data) => {
			const { error } = await readAll([`data: ${data}\n\n`]);
			expect((error as Error).message).toBe(
				`The stream sent an event that is not a Gemini response: ${data}`,
			);
		},
	);

	test('a 200 body that is not SSE at all is an error quoting it', async () => {
		const { chunks, error } = await readAll(['<html><body>Bad gateway</body></html>']);
		expect(chunks).toHaveLength(0);
		expect((error as Error).message).toBe(
			'The response is not an SSE stream: <html><body>Bad gateway</body></html>',
		);
	});

	test('an event larger than the limit fails instead of growing without end', async () => {
		const big = encodeSse([textChunk('x'.repeat(5000))]);
		const { error } = await readAll(splitBytes(Buffer.from(big), 512), 1000);
		expect((error as Error).message).toBe('A stream event exceeded the limit of 1000 characters');
	});

	test('an empty body yields no chunks and no error', async () => {
		const { chunks, error } = await readAll([]);
		expect(chunks).toEqual([]);
		expect(error).toBeUndefined();
	});
});

test('chunks are yielded as soon as their event is complete, before the stream ends', async () => {
	const seen: string[] = [];
	async function* slow() {
		yield encodeSse([textChunk('first')]);
		seen.push('second read requested');
		yield encodeSse([textChunk('second')]);
	}
	for await (const chunk of readGeminiStream(slow())) {
		seen.push(chunk.candidates?.[0]?.content?.parts?.[0]?.text ?? '');
	}
	expect(seen).toEqual(['first', 'second read requested', 'second']);
});

test('an event larger than the limit fails even when it arrives whole in one read', async () => {
	const { error } = await readAll([encodeSse([textChunk('x'.repeat(5000))])], 1000);
	expect((error as Error).message).toBe('A stream event exceeded the limit of 1000 characters');
});

describe('one list of chunks per read', () => {
	const textsOf = (chunks: GeminiResponseChunk[]) =>
		chunks.map((chunk) => chunk.candidates?.[0]?.content?.parts?.[0]?.text);

	async function readLists(pieces: string[]) {
		const lists: Array<Array<string | undefined>> = [];
		let error: unknown;
		try {
			for await (const chunks of readGeminiStreamBatches(asStream(pieces))) {
				lists.push(textsOf(chunks));
			}
		} catch (caught) {
			error = caught;
		}
		return { lists, error };
	}

	test('the events a read completes come together, in order; reads that complete none give no list', async () => {
		const body = encodeSse([textChunk('a'), textChunk('b'), textChunk('c'), textChunk('d')]);
		const third = body.indexOf('data:', body.indexOf('data:', body.indexOf('data:') + 1) + 1);
		const { lists, error } = await readLists([
			body.slice(0, third + 10),
			body.slice(third + 10, third + 20),
			body.slice(third + 20),
		]);
		expect(error).toBeUndefined();
		expect(lists).toEqual([
			['a', 'b'],
			['c', 'd'],
		]);
	});

	test('the chunks of a read before a bad event are handed on, then the error', async () => {
		const body = `${encodeSse([textChunk('a'), textChunk('b')])}data: {"candidates": [\n\n${encodeSse([textChunk('c')])}`;
		const { lists, error } = await readLists([body]);
		expect(lists).toEqual([['a', 'b']]);
		expect((error as Error).message).toMatch(/^The stream sent an event that is not valid JSON/);
	});

	test('one by one, the chunks are the same as the lists', async () => {
		const body = encodeSse([textChunk('a'), textChunk('b'), textChunk('c')]);
		const pieces = [body.slice(0, 30), body.slice(30)];
		const { lists } = await readLists(pieces);
		const { chunks } = await readAll(pieces);
		expect(textsOf(chunks)).toEqual(lists.flat());
	});
});

describe('nesting', () => {
	/** An event of `levels` nested containers in all: the response object and lists inside it. */
	const nested = (levels: number) =>
		`data: {"candidates":[],"extra":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}\n\n`;

	test('an event nested 100 levels deep is read', async () => {
		const { chunks, error } = await readAll([nested(100)]);
		expect(error).toBeUndefined();
		expect(chunks).toHaveLength(1);
	});

	test('an event nested 101 levels deep is refused', async () => {
		const { error } = await readAll([nested(101)]);
		expect((error as Error).message).toBe(
			'The stream sent an event nested more than 100 levels deep',
		);
	});

	test('brackets inside strings do not make a shallow event deep', async () => {
		const text = '{['.repeat(500);
		const { chunks, error } = await readAll([encodeSse([textChunk(text)])]);
		expect(error).toBeUndefined();
		expect(answerText(chunks)).toBe(text);
	});
});
