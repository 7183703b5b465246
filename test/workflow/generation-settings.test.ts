/**
 * The table of generation settings, walked entry by entry through the main node in n8n's
 * engine against the stand-in: each is shown in the editor, checked (a wrong value fails the
 * item naming the field, and nothing is sent), and its value reaches the request body at the
 * API field the entry names. The chat model's half is generation-settings.chat-model.test.ts.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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

describe('choices', () => {
	const choiceSettings = GENERATION_SETTINGS.filter(
		(setting) => setting.type === 'oneOf' || setting.type === 'listOf',
	);

	test.each(choiceSettings.map((setting) => [setting.displayName, setting] as const))(
		'%s: the editor lists every value the check accepts, and no other',
		(_displayName, setting) => {
			const property = shown.find((entry) => entry.name === setting.name);
			const offered = (property?.options as Array<{ value: string }>).map(({ value }) => value);
			const accepted = 'choices' in setting ? setting.choices.map(({ value }) => value) : [];
			expect(offered.sort()).toEqual(accepted.sort());
		},
	);

	/** The editor's options of a setting: value and description, in the order it lists them. */
	const optionsOf = (name: string) =>
		(shown.find((entry) => entry.name === name)?.options as INodePropertyOptions[]).map(
			({ value, description }) => ({ value, description }),
		);

	// The reference's lists (levers.md §5): the API validator's own list of aspect ratios
	// (quoted in test/standin/contract.ts) and the image guide's sizes, 512 for Gemini 3.1 Flash
	// Image (https://ai.google.dev/gemini-api/docs/image-generation).
	test('Image Aspect Ratio offers the 14 ratios the API takes, in its order, each naming its models', () => {
		const options = optionsOf('aspectRatio');
		expect(options.map(({ value }) => value)).toEqual([
			'1:1',
			'1:4',
			'1:8',
			'2:3',
			'3:2',
			'3:4',
			'4:1',
			'4:3',
			'4:5',
			'5:4',
			'8:1',
			'9:16',
			'16:9',
			'21:9',
		]);
		for (const { value, description } of options) {
			expect(description).toBe(
				['1:4', '4:1', '1:8', '8:1'].includes(value as string)
					? 'Gemini 3.1 Flash Image only'
					: 'Every Gemini image model',
			);
		}
	});

	test('Image Size offers the 4 sizes the API takes, smallest first, each naming its models', () => {
		expect(optionsOf('imageSize')).toEqual([
			{ value: '512', description: expect.stringContaining('Gemini 3.1 Flash Image only') },
			{ value: '1K', description: expect.stringContaining('Gemini 3 image models') },
			{ value: '2K', description: expect.stringContaining('Gemini 3 image models') },
			{ value: '4K', description: expect.stringContaining('Gemini 3 image models') },
		]);
	});

	test.each([
		['aspectRatio', '1:8', 'imageConfig', { aspectRatio: '1:8' }],
		['imageSize', '512', 'imageConfig', { imageSize: '512' }],
	])('%s %s is sent as chosen in the editor', async (name, value, field, sent) => {
		const { error } = await runGemini(server, {
			prompt: 'hi',
			model: { __rl: true, mode: 'id', value: 'gemini-3.1-flash-image' },
			generationConfig: { [name]: value },
		});
		expect(error).toBeUndefined();
		const body = server.generateRequests[0].body as { generationConfig: Record<string, unknown> };
		expect(body.generationConfig[field]).toEqual(sent);
	});
});
