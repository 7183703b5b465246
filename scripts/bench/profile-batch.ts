/**
 * One batch of the node through n8n's engine, under V8's sampling CPU profiler, in a fresh
 * process: `profile-batch.ts <baseUrl> <model> <rows> <concurrency> <out.cpuprofile>`.
 *
 * The profiler is the one `node --cpu-prof` uses, driven through `node:inspector` so that it
 * covers the batch alone: not tsx compiling the sources, not n8n-core loading, not a first
 * smaller batch run beforehand to warm the code up. Prints one JSON line: the batch's wall ms.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

import { answerRows } from './scenarios';

function post<T>(session: Session, method: string, params?: object): Promise<T> {
	return new Promise((resolve, reject) =>
		session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
	);
}

async function main() {
	const [baseUrl, model, rows, concurrency, out] = process.argv.slice(2);
	await answerRows(baseUrl, model, Math.min(200, Number(rows)), Number(concurrency));
	const session = new Session();
	session.connect();
	await post(session, 'Profiler.enable');
	await post(session, 'Profiler.setSamplingInterval', { interval: 250 });
	await post(session, 'Profiler.start');
	const started = performance.now();
	await answerRows(baseUrl, model, Number(rows), Number(concurrency));
	const ms = performance.now() - started;
	const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
	session.disconnect();
	writeFileSync(out, JSON.stringify(profile));
	console.log(JSON.stringify({ ms }));
	process.exit(0);
}

void main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
