/**
 * The chat model's half of the table walk (generation-settings.test.ts): the settings marked
 * `chat` are the ones its editor shows, and each reaches its requests at its API field, with
 * the same check as the main node's. Its own file: n8n 1.x has no AI node SDK, so the 1.x
 * matrix skips it with the other chat-model tests.
 */
import type { Message } from '@n8n/ai-node-sdk';
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { LmChatQuickrouterGemini } from '../../nodes/LmChatQuickrouterGemini/LmChatQuickrouterGemini.node';
import { GENERATION_SETTINGS } from '../../nodes/shared/parameters/generation-settings';
import { chatModelWorkflow, CREDENTIAL_TYPE, runWorkflow } from '../harness/n8n';
import { parametersFor, sentValue, SETTING_EXAMPLES } from '../helpers/generation-settings';
import { useStandin } from '../helpers/workflow';
import { STANDIN_TOKEN } from '../standin/server';

const server = useStandin();

const collection = new LmChatQuickrouterGemini().description.properties.find(
	(property) => property.name === 'generationConfig',
) as INodeProperties;

const CHAT_SETTINGS = GENERATION_SETTINGS.filter((setting) => setting.chat);

const hello: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];

/** Runs the chat model with `parameters` under a root that calls `generate` once. */
async function generateWith(parameters: IDataObject) {
	return await runWorkflow({
		...chatModelWorkflow(parameters, async (model) => {
			const adapter = model as { chatModel: { generate(messages: Message[]): Promise<unknown> } };
			return { result: (await adapter.chatModel.generate(hello)) as IDataObject };
		}),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
}

test('the editor shows exactly the settings marked for the chat model', () => {
	expect((collection.options as INodeProperties[]).map((property) => property.name).sort()).toEqual(
		CHAT_SETTINGS.map((setting) => setting.name).sort(),
	);
});

describe.each(CHAT_SETTINGS.map((setting) => [setting.displayName, setting] as const))(
	'%s',
	(displayName, setting) => {
		const example = SETTING_EXAMPLES[setting.name];
		// A setting without an example fails the test that every setting has one.
		if (example === undefined) return;

		test(`reaches the chat model's request at generationConfig.${setting.api}`, async () => {
			const { error } = await generateWith(parametersFor(setting, example.value));
			expect(error).toBeUndefined();
			expect(sentValue(server, setting)).toEqual(example.sent);
		});

		if (example.bad !== undefined) {
			test(`is checked: ${JSON.stringify(example.bad)} fails before any request`, async () => {
				const { error } = await generateWith(parametersFor(setting, example.bad));
				// n8n reports a sub-node's error under its own message, the sub-node's as description.
				expect(error?.message).toBe('Error in sub-node Chat Model');
				expect(error?.description?.startsWith(`"${displayName}" of item 0 `)).toBe(true);
				expect(server.generateRequests).toHaveLength(0);
			});
		}
	},
);
