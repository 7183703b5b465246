/**
 * The stand-in API for `npm run dev`: the test suite's stand-in server (test/standin) on
 * 127.0.0.1, answering the way the sample workflows need, on a port that stays the same from
 * one start to the next (so the imported credential keeps pointing at it):
 *
 * - a request that offers a tool and asks for some arithmetic ("What is 6 * 7?") plays a
 *   Gemini 3 model using that tool, as the e2e suite's agent tests do: it calls the tool with
 *   the expression (a signed call), then answers with the tool's result;
 * - any other request gets its prompt echoed back ("Echo: <prompt>"), a word at a time with a
 *   short pause, so a streaming Webhook or chat shows the answer arriving in pieces.
 *
 * The token is the suite's stand-in token; a wrong one gets Google's 401.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	type RecordedRequest,
	type ReplyScript,
	StandinServer,
	STANDIN_TOKEN,
} from '../../test/standin/server';
import { encodeSse, textChunk } from '../../test/standin/sse';
import { toolCallingScript } from '../../test/standin/tool-calling';

export { STANDIN_TOKEN };

/** Pause between the answer's words, in ms: long enough to see streaming, short for 50 rows. */
const WORD_PACE_MS = 40;

const SIGNATURE = 'ZGV2LXN0YW5kLWluLXNpZ25lZC1jYWxs';

interface Turn {
	role?: string;
	parts?: Array<{ text?: string; functionResponse?: unknown }>;
}

/** The text of the last user turn that has text (the question, also after a tool's result). */
function lastQuestion(body: unknown): string {
	const contents = (body as { contents?: Turn[] } | undefined)?.contents ?? [];
	for (let index = contents.length - 1; index >= 0; index--) {
		const text = (contents[index].parts ?? []).map((part) => part.text ?? '').join('');
		if (contents[index].role !== 'model' && text.trim() !== '') return text;
	}
	return '';
}

function toolNames(body: unknown): string[] {
	const tools =
		(body as { tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }> } | undefined)
			?.tools ?? [];
	return tools.flatMap((tool) => (tool.functionDeclarations ?? []).map(({ name }) => name ?? ''));
}

/** "What is 6 * 7?" -> "6 * 7". */
function arithmeticIn(text: string): string | undefined {
	return /\d+(?:\.\d+)?(?:\s*[-+*/^x×]\s*\d+(?:\.\d+)?)+/.exec(text)?.[0].replace(/[x×]/g, '*');
}

/** The echo, a word per SSE event and per network write. */
function echo(prompt: string): ReturnType<ReplyScript> {
	const words = `Echo: ${prompt}${/[.!?]$/.test(prompt) ? '' : '.'}`.split(/(?<= )/);
	return {
		headers: { 'content-type': 'text/event-stream' },
		pieces: words.map((word, index) =>
			encodeSse([
				textChunk(word, {
					finishReason: index === words.length - 1 ? 'STOP' : undefined,
					usage: {
						promptTokenCount: 4,
						candidatesTokenCount: index + 1,
						totalTokenCount: 5 + index,
					},
				}),
			]),
		),
		delayMs: WORD_PACE_MS,
	};
}

export const devScript: ReplyScript = (request: RecordedRequest) => {
	const question = lastQuestion(request.body);
	const tools = toolNames(request.body);
	const expression = arithmeticIn(question);
	if (tools.length > 0 && expression) {
		const tool = tools.find((name) => /calc/i.test(name)) ?? tools[0];
		return toolCallingScript({
			tool,
			calls: [{ input: expression }],
			signature: SIGNATURE,
			answer: ([response]) => [
				`The ${tool.toLowerCase()} `,
				'says ',
				JSON.stringify(response).match(/-?\d+(?:\.\d+)?/)?.[0] ?? JSON.stringify(response),
				'.',
			],
			delayMs: WORD_PACE_MS * 3,
		})(request);
	}
	return echo(question);
};

export interface DevStandin {
	/** The address the credential points at. */
	baseUrl: string;
	port: number;
	stop(): Promise<void>;
}

/**
 * Starts the stand-in and a relay on `port` (127.0.0.1) in front of it; if that port is taken,
 * on a free one. The relay passes each request and its streamed answer through unchanged.
 */
export async function startDevStandin(port: number): Promise<DevStandin> {
	const standin = new StandinServer();
	await standin.start();
	standin.script = devScript;
	const target = new URL(standin.baseUrl);
	const relay = http.createServer((req, res) => {
		// The stand-in records every request for tests; a dev session needs none of that.
		standin.requests.length = 0;
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				method: req.method,
				path: req.url,
				headers: req.headers,
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		res.on('close', () => upstream.destroy());
		req.pipe(upstream);
	});
	const sockets = new Set<import('node:net').Socket>();
	relay.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	const listen = async (wanted: number) => {
		relay.listen(wanted, '127.0.0.1');
		await Promise.race([
			once(relay, 'listening'),
			once(relay, 'error').then(([error]) => {
				throw error;
			}),
		]);
	};
	try {
		await listen(port);
	} catch {
		await listen(0);
	}
	const actual = (relay.address() as AddressInfo).port;
	return {
		baseUrl: `http://127.0.0.1:${actual}`,
		port: actual,
		async stop() {
			for (const socket of sockets) socket.destroy();
			relay.close();
			await standin.stop();
		},
	};
}

/** `tsx scripts/dev/standin.ts [port]`: the stand-in alone, until Ctrl-C. */
if (require.main === module) {
	void startDevStandin(Number(process.argv[2] ?? 5680)).then((standin) => {
		console.log(`Stand-in API at ${standin.baseUrl}, token ${STANDIN_TOKEN}`);
		const stop = () => void standin.stop().then(() => process.exit(0));
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	});
}
