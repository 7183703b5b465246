/**
 * Parameters with no expression in them are read from n8n once per node run, not once per
 * item; parameters with an expression are read per item, and a bad value still fails its own
 * item. Counted at n8n-core's own parameter reader, in a real run of the node.
 */
import { ExecuteContext } from 'n8n-core';

import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { lastUserText } from '../standin/server';

const server = useStandin();

type Reader = { _getNodeParameter: (name: string, itemIndex: number) => unknown };

/** n8n's reads of each parameter during `run`, full evaluations only (not raw reads). */
async function readsDuring(run: () => Promise<unknown>): Promise<Map<string, number>> {
	const prototype = ExecuteContext.prototype as unknown as Reader;
	const spy = jest.spyOn(prototype, '_getNodeParameter');
	try {
		await run();
		const reads = new Map<string, number>();
		for (const [name, , , options] of spy.mock.calls as unknown as Array<
			[string, number, unknown, { rawExpressions?: boolean } | undefined]
		>) {
			if (options?.rawExpressions) continue;
			reads.set(name, (reads.get(name) ?? 0) + 1);
		}
		return reads;
	} finally {
		spy.mockRestore();
	}
}

const rows = Array.from({ length: 6 }, (_, index) => ({ q: `row ${index}`, t: index / 10 }));

test('settings without expressions are read once for all the rows; the prompt expression per row', async () => {
	const reads = await readsDuring(async () => {
		const { output, error } = await runGemini(
			server,
			{
				prompt: '={{ $json.q }}',
				systemInstruction: 'Be brief.',
				generationConfig: { temperature: 0.2, maxOutputTokens: 64 },
				options: { concurrency: 2 },
			},
			{ rows },
		);
		expect(error).toBeUndefined();
		expect(output(GEMINI).map((item) => item.json.text)).toEqual(
			rows.map((row) => `Echo: ${row.q}.`),
		);
	});
	expect(reads.get('prompt')).toBe(rows.length);
	expect(reads.get('generationConfig')).toBe(1);
	expect(reads.get('systemInstruction')).toBe(1);
	expect(reads.get('options')).toBe(1);
	// Each row's request still carries the settings.
	for (const request of server.generateRequests) {
		expect(request.body).toMatchObject({
			systemInstruction: { parts: [{ text: 'Be brief.' }] },
			generationConfig: { temperature: 0.2, maxOutputTokens: 64 },
		});
	}
});

test('a setting with an expression inside is read per row, and a bad value fails only its row', async () => {
	const reads = await readsDuring(async () => {
		const { output, error } = await runGemini(
			server,
			{
				prompt: '={{ $json.q }}',
				generationConfig: { temperature: '={{ $json.t > 0.3 ? 7 : $json.t }}' },
			},
			{ rows, settings: { onError: 'continueRegularOutput' } },
		);
		expect(error).toBeUndefined();
		const items = output(GEMINI);
		expect(items).toHaveLength(rows.length);
		expect(items.slice(0, 4).map((item) => item.json.text)).toEqual(
			rows.slice(0, 4).map((row) => `Echo: ${row.q}.`),
		);
		for (const item of items.slice(4)) expect(String(item.json.error)).toContain('Temperature');
	});
	expect(reads.get('generationConfig')).toBe(rows.length);
	expect(server.generateRequests.map((request) => lastUserText(request.body))).toEqual(
		rows.slice(0, 4).map((row) => row.q),
	);
});
