import { PassThrough, Readable } from 'node:stream';

import { BodyReader, isEventBody } from '../../nodes/shared/transport/body-reader';

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function readAll(reader: BodyReader): Promise<string[][]> {
	const reads: string[][] = [];
	for (;;) {
		const { value, done } = await reader.next();
		if (done) return reads;
		reads.push(value.map(String));
	}
}

test('every piece, in order, then the end', async () => {
	const body = Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')], {
		objectMode: false,
	});
	expect((await readAll(new BodyReader(body))).flat()).toEqual(['a', 'b', 'c']);
});

test('the pieces that come together make one read, as a stream iterator reads them', async () => {
	const body = new PassThrough();
	const reader = new BodyReader(body);
	const pending = reader.next();
	body.write('a');
	body.write('b');
	expect((await pending).value?.map(String)).toEqual(['a', 'b']);
	body.write('c');
	await tick();
	body.write('d');
	await tick();
	expect((await reader.next()).value?.map(String)).toEqual(['c', 'd']);
});

test('while the reader is busy the body buffers up to its high-water mark, then is paused until read', async () => {
	const body = new PassThrough({ highWaterMark: 4 });
	const reader = new BodyReader(body);
	body.write('12');
	await tick();
	expect(body.isPaused()).toBe(false);
	body.write('34');
	await tick();
	expect(body.isPaused()).toBe(true);
	body.write('56');
	await tick();
	expect((await reader.next()).value?.map(String)).toEqual(['12', '34']);
	expect(body.isPaused()).toBe(false);
	await tick();
	expect((await reader.next()).value?.map(String)).toEqual(['56']);
	body.end();
	expect((await reader.next()).done).toBe(true);
});

test("the body's error ends the read in progress", async () => {
	const body = new PassThrough();
	const reader = new BodyReader(body);
	const pending = reader.next();
	body.destroy(new Error('socket hang up'));
	await expect(pending).rejects.toThrow('socket hang up');
	await expect(reader.next()).rejects.toThrow('socket hang up');
});

test('a body closed before its end is a premature close, as for a stream iterator', async () => {
	const body = new PassThrough();
	const reader = new BodyReader(body);
	const pending = reader.next();
	body.destroy();
	await expect(pending).rejects.toMatchObject({
		message: 'Premature close',
		code: 'ERR_STREAM_PREMATURE_CLOSE',
	});
});

test('stop() ends the read in progress at once, while the body is silent', async () => {
	const body = new PassThrough();
	const reader = new BodyReader(body);
	const pending = reader.next();
	reader.stop(new Error('timed out'));
	await expect(pending).rejects.toThrow('timed out');
	body.write('late');
	await expect(reader.next()).rejects.toThrow('timed out');
});

test('a body that failed before the reader was made fails the first read', async () => {
	const body = new PassThrough();
	body.on('error', () => undefined);
	body.destroy(new Error('gone'));
	await tick();
	await expect(new BodyReader(body).next()).rejects.toThrow('gone');
});

test('only streams with events, pause and resume are read with events', () => {
	expect(isEventBody(new PassThrough())).toBe(true);
	expect(isEventBody((async function* () {})())).toBe(false);
	expect(isEventBody(null)).toBe(false);
});
