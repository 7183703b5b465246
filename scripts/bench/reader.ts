/**
 * One measured read of the benchmark, in a fresh process: `reader.ts <way> <baseUrl> <model>`.
 * Prints one JSON line: the time from sending the request to holding the answer, the
 * process's peak memory, and what was read (so a reader that skipped work is caught).
 */
import http from 'node:http';

import { createParser } from 'eventsource-parser';

type Result = { bytes: number; textLength: number };

/** POSTs a prompt with bare `http` and hands every received piece to `onPiece`. */
async function post(url: string, onPiece: (piece: Buffer) => void): Promise<number> {
	return await new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method: 'POST', headers: { 'content-type': 'application/json' } },
			(res) => {
				let bytes = 0;
				res.on('data', (piece: Buffer) => {
					bytes += piece.length;
					onPiece(piece);
				});
				res.on('end', () => resolve(bytes));
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end('{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}');
	});
}

/** The floor: a bare client that only receives the bytes. */
async function floor(url: string): Promise<Result> {
	return { bytes: await post(url, () => undefined), textLength: 0 };
}

/** The lean reference: bare http + eventsource-parser + JSON.parse + text join, no n8n. */
async function lean(url: string): Promise<Result> {
	let text = '';
	const decoder = new TextDecoder();
	const parser = createParser({
		onEvent: (event) => {
			const chunk = JSON.parse(event.data) as {
				candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>;
			};
			for (const part of chunk.candidates?.[0]?.content?.parts ?? []) text += part.text ?? '';
		},
	});
	const bytes = await post(url, (piece) => parser.feed(decoder.decode(piece, { stream: true })));
	return { bytes, textLength: text.length };
}

/** Google's SDK, pointed at the stand-in. */
async function sdk(baseUrl: string, model: string): Promise<Result> {
	const { GoogleGenAI } = await import('@google/genai');
	const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl } });
	let text = '';
	for await (const chunk of await ai.models.generateContentStream({ model, contents: 'hi' }))
		text += chunk.text ?? '';
	return { bytes: 0, textLength: text.length };
}

async function node(
	baseUrl: string,
	model: string,
	outputMode: 'collect' | 'perChunk',
): Promise<Result> {
	const { CREDENTIAL_TYPE, geminiWorkflow, runWorkflow } = await import('../../test/harness/n8n');
	const started = performance.now();
	const { output, error } = await runWorkflow({
		...geminiWorkflow({
			model: { __rl: true, mode: 'id', value: model },
			prompt: 'hi',
			outputMode,
		}),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: 'bench', baseUrl } },
	});
	timings.ms = performance.now() - started;
	if (error) throw new Error(error.message);
	const items = output('Quickrouter Gemini');
	return {
		bytes: 0,
		textLength: items.reduce((sum, item) => sum + String(item.json.text).length, 0),
	};
}

const timings: { ms?: number } = {};

async function readOnce(way: string, baseUrl: string, model: string): Promise<Result> {
	const url = `${baseUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`;
	if (way === 'floor') return await floor(url);
	if (way === 'lean') return await lean(url);
	if (way === 'sdk') return await sdk(baseUrl, model);
	return await node(baseUrl, model, way === 'node-perChunk' ? 'perChunk' : 'collect');
}

async function main() {
	const [way, baseUrl, model] = process.argv.slice(2);
	// One small read first, so code loaded and compiled on first use is not counted as reading.
	await readOnce(way, baseUrl, 'instant');
	timings.ms = undefined;
	const rssBeforeKB = Math.round(process.memoryUsage.rss() / 1024);
	const started = performance.now();
	const result = await readOnce(way, baseUrl, model);
	const ms = timings.ms ?? performance.now() - started;
	console.log(
		JSON.stringify({ way, ms, rssBeforeKB, maxRssKB: process.resourceUsage().maxRSS, ...result }),
	);
}

void main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
