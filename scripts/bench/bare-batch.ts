/**
 * The batch floor: the same rows sent by a bare Node client, `concurrency` at a time, each on a
 * new connection as n8n's HTTP helper makes them (it builds a new agent per request). What it
 * takes over the ideal is the stand-in's and the loopback's share; the rest of the node's time
 * is the client's work per row.
 */
import http from 'node:http';

function post(url: URL, body: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{
				method: 'POST',
				agent: new http.Agent({ keepAlive: false }),
				headers: { authorization: 'Bearer bench-bare', 'content-type': 'application/json' },
			},
			(res) => {
				res.resume();
				res.on('end', resolve);
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** Wall time in ms for `rows` requests to `model`, `concurrency` at a time. */
export async function bareBatch(
	baseUrl: string,
	model: string,
	rows: number,
	concurrency: number,
): Promise<number> {
	const url = new URL(`${baseUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`);
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < rows) {
				const row = next++;
				await post(
					url,
					JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `row ${row}` }] }] }),
				);
			}
		}),
	);
	return performance.now() - started;
}
