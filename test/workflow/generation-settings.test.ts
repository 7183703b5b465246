/**
 * The table of generation settings, walked entry by entry through the main node in n8n's
 * engine against the stand-in: each is shown in the editor, checked (a wrong value fails the
 * item naming the field, and nothing is sent), and its value reaches the request body at the
 * API field the entry names. The chat model's half is generation-settings.chat-model.test.ts.
 */
import type { INodeProperties } from 'n8n-workflow';

import { QuickrouterGemini } from '../../nodes/QuickrouterGemini/QuickrouterGemini.node';
import { GENERATION_SETTINGS } from '../../nodes/shared/parameters/generation-settings';
import { parametersFor, sentValue, SETTING_EXAMPLES } from '../helpers/generation-settings';
import { runGemini, useStandin } from '../helpers/workflow';
import { encodeSse, textChunk } from '../standin/sse';

const server = useStandin();

// An answer that is JSON too, so that the JSON MIME type's run succeeds like the others. The
// stand-in checks each request against Google's rules before it answers.
beforeEach(() => {
	server.reset(() => ({ body: encodeSse([textChunk('{"ok": true}', { finishReason: 'STOP' })]) }));
});

const collection = new QuickrouterGemini().description.properties.find(
	(property) => property.name === 'generationConfig',
) as INodeProperties;
const shown = collection.options as INodeProperties[];

test('every setting of the table has an example, and every example a setting', () => {
	expect(Object.keys(SETTING_EXAMPLES).sort()).toEqual(
		GENERATION_SETTINGS.map((setting) => setting.name).sort(),
	);
});

test("the editor's Generation Config is the table and Extra Generation Config (JSON), nothing else", () => {
	expect(shown.map((property) => property.name).sort()).toEqual(
		[...GENERATION_SETTINGS.map((setting) => setting.name), 'extraJson'].sort(),
	);
});

describe.each(GENERATION_SETTINGS.map((setting) => [setting.displayName, setting] as const))(
	'%s',
	(displayName, setting) => {
		const example = SETTING_EXAMPLES[setting.name];
		// A setting without an example fails the test that every setting has one.
		if (example === undefined) return;

		test(`is shown with its default (${JSON.stringify(setting.default)})`, () => {
			const property = shown.find((entry) => entry.name === setting.name);
			expect(property).toMatchObject({ displayName, default: setting.default });
		});

		test(`reaches the request at generationConfig.${setting.api}`, async () => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				...parametersFor(setting, example.value),
			});
			expect(error).toBeUndefined();
			expect(sentValue(server, setting)).toEqual(example.sent);
		});

		if (example.bad !== undefined) {
			test(`is checked: ${JSON.stringify(example.bad)} fails before any request`, async () => {
				const { error } = await runGemini(server, {
					prompt: 'hi',
					...parametersFor(setting, example.bad),
				});
				expect(error?.message).toMatch(new RegExp(`^"${escaped(displayName)}" of item 0 `));
				expect(server.generateRequests).toHaveLength(0);
			});
		}
	},
);

function escaped(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
