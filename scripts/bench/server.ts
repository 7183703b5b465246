/**
 * The benchmark's stand-in API, in a process of its own so that serving never competes
 * with the reader being measured for the same event loop. The model name picks the answer:
 * `size-20` streams a 20 MB answer in ~3 kB events, `delay-50` answers after 50 ms,
 * `instant` answers at once. Prints its base URL on the first line of stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { encodeSse, textChunk } from '../../test/standin/sse';

export const EVENT_TEXT_CHARS = 3000;

const bodies = new Map<number, Buffer>();

/** A deterministic answer of `mb` megabytes of SSE, in events of ~3 kB of text. */
export function bigAnswer(mb: number): Buffer {
	let body = bodies.get(mb);
	if (!body) {
		const words =
			'the quick brown fox jumps over a lazy dog while streams of tokens flow by '.split(' ');
		const events: unknown[] = [];
		let size = 0;
		for (let index = 0; size < mb * 1024 * 1024; index++) {
			let text = '';
			while (text.length < EVENT_TEXT_CHARS)
				text += `${words[(index * 7 + text.length) % words.length]} `;
			const usage = {
				promptTokenCount: 5,
				candidatesTokenCount: index + 1,
				totalTokenCount: index + 6,
			};
			const event = textChunk(text, { usage });
			size += JSON.stringify(event).length + 8;
			events.push(event);
		}
		(
			events[events.length - 1] as { candidates: Array<{ finishReason?: string }> }
		).candidates[0].finishReason = 'STOP';
		body = Buffer.from(encodeSse(events));
		bodies.set(mb, body);
	}
	return body;
}

const small = Buffer.from(
	encodeSse([textChunk('Hello'), textChunk(' there', { finishReason: 'STOP' })]),
);

function write(res: http.ServerResponse, body: Buffer): void {
	res.writeHead(200, { 'content-type': 'text/event-stream' });
	// 64 kB writes, as a real server flushes a fast stream.
	for (let offset = 0; offset < body.length; offset += 65536)
		res.write(body.subarray(offset, offset + 65536));
	res.end();
}

const server = http.createServer((req, res) => {
	req.resume();
	req.on('end', () => {
		const model = /\/models\/([^/:]+):streamGenerateContent/.exec(req.url ?? '')?.[1] ?? '';
		const size = /^size-(\d+)$/.exec(model);
		const delay = /^delay-(\d+)$/.exec(model);
		if (size) write(res, bigAnswer(Number(size[1])));
		else if (delay) setTimeout(() => write(res, small), Number(delay[1]));
		else write(res, small);
	});
});

if (require.main === module) {
	server.keepAliveTimeout = 1000;
	server.listen(0, '127.0.0.1', () => {
		for (const mb of process.argv.slice(2).map(Number)) bigAnswer(mb);
		console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	});
	process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
