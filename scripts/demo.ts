/**
 * `npm run demo`: runs a small workflow (Manual Trigger -> Rows -> Quickrouter Gemini) through
 * n8n's own engine and prints what the node outputs; then supplies the Quickrouter Gemini Chat
 * Model through n8n's engine and drives it as n8n's AI Agent does: a tool call, its result, the
 * answer.
 *
 * Offline by default, against the local stand-in server on 127.0.0.1. With QUICKROUTER_TOKEN
 * set, the same workflow calls the real API (QUICKROUTER_BASE_URL and QUICKROUTER_MODEL may
 * override the defaults).
 */
import type { ChatModel, Message } from '@n8n/ai-node-sdk';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { signatureOfToolCallId } from '../nodes/LmChatQuickrouterGemini/chat-messages';
import {
	chatModelWorkflow,
	CREDENTIAL_TYPE,
	geminiWorkflow,
	runWorkflow,
} from '../test/harness/n8n';
import { lastUserText, StandinServer, STANDIN_TOKEN } from '../test/standin/server';
import { encodeSse, textChunk } from '../test/standin/sse';
import { toolCallingScript } from '../test/standin/tool-calling';

const NODE = 'Quickrouter Gemini';

const rows: IDataObject[] = [{ question: 'Hello there' }, { question: 'What do you like to eat?' }];

// The API page's own example: a cat named Neko, thought summaries on.
const parameters: IDataObject = {
	model: { __rl: true, mode: 'id', value: process.env.QUICKROUTER_MODEL ?? 'gemini-3-pro-preview' },
	systemInstruction: 'You are a cat. Your name is Neko.',
	prompt: '={{ $json.question }}',
	generationConfig: { temperature: 1, topP: 1, includeThoughts: true, thinkingBudget: 1024 },
};

/** How the stand-in answers: a thought summary, then the answer in small paced chunks. */
function catAnswer(prompt: string) {
	const answer =
		prompt === 'Hello there' ? 'Meow! Hello there!' : `Meow! You asked: "${prompt}" Fish, please.`;
	const words = answer.split(/(?<= )/);
	return encodeSse([
		textChunk('**Being a cat**\n\nI should answer as Neko would.', { thought: true }),
		...words.map((word, index) =>
			textChunk(word, {
				finishReason: index === words.length - 1 ? 'STOP' : undefined,
				usage: {
					promptTokenCount: 12,
					candidatesTokenCount: index + 1,
					thoughtsTokenCount: 9,
					totalTokenCount: 22 + index,
				},
			}),
		),
	]);
}

function show(
	title: string,
	items: Array<{ json: IDataObject }>,
	pick: (json: IDataObject) => IDataObject,
) {
	console.log(`\n${title}: ${items.length} item(s)`);
	for (const { json } of items) console.log(JSON.stringify(pick(json)));
}

const MULTIPLY = {
	type: 'function' as const,
	name: 'multiply',
	description: 'Multiplies two numbers',
	inputSchema: {
		type: 'object' as const,
		properties: { a: { type: 'number' as const }, b: { type: 'number' as const } },
		required: ['a', 'b'],
	},
};

/** The chat model as n8n's AI Agent uses it: ask, run the tool it calls, send the result back. */
async function chatModelDemo(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	server?: StandinServer,
) {
	server?.reset(
		toolCallingScript({
			tool: 'multiply',
			calls: [{ a: 6, b: 7 }],
			signature: 'c2lnbmF0dXJlLW9mLXRoZS1jYWxs',
			answer: ([response]) => ['6 times 7 is ', `${(response as { result?: number }).result}.`],
		}),
	);
	const { output, error } = await runWorkflow({
		...chatModelWorkflow({ model: parameters.model }, async (supplied) => {
			const model = (supplied as { chatModel: ChatModel }).chatModel.withTools([MULTIPLY]);
			const question: Message = {
				role: 'user',
				content: [{ type: 'text', text: 'What is 6 times 7? Use the tool.' }],
			};
			const first = await model.generate([question]);
			const call = first.message.content.find((content) => content.type === 'tool-call');
			if (call?.type !== 'tool-call') return { answer: JSON.stringify(first.message.content) };
			const { a, b } = JSON.parse(call.input) as { a: number; b: number };
			const second = await model.generate([
				question,
				{ role: 'assistant', content: [call] },
				{
					role: 'tool',
					content: [
						{ type: 'tool-result', toolCallId: call.toolCallId ?? '', result: { result: a * b } },
					],
				},
			]);
			return {
				toolCall: {
					name: call.toolName,
					arguments: call.input,
					thoughtSignature: signatureOfToolCallId(call.toolCallId) ?? null,
				},
				toolResult: a * b,
				answer: second.message.content
					.map((content) => (content.type === 'text' ? content.text : ''))
					.join(''),
				usage: second.usage as IDataObject,
			};
		}),
		credentials,
	});
	if (error) {
		console.log(`
Chat model: failed: ${error.message} ${(error as { description?: string }).description ?? ''}`);
		process.exitCode = 1;
		return;
	}
	console.log("\nChat model (driven as n8n's AI Agent drives it, with one tool):");
	console.log(JSON.stringify(output('Chat Root')[0]?.json, null, 2));
	if (server) {
		console.log('\nThe second request carried the call back with its signature, and the result:');
		console.log(JSON.stringify((server.generateRequests[1]?.body as IDataObject)?.contents));
	}
}

async function main() {
	const live = Boolean(process.env.QUICKROUTER_TOKEN);
	const server = live ? undefined : new StandinServer();
	if (server) {
		await server.start();
		server.script = (request) => ({
			body: catAnswer(lastUserText(request.body)),
			split: 64,
			delayMs: 10,
		});
	}
	const credentials = {
		[CREDENTIAL_TYPE]: live
			? {
					apiToken: process.env.QUICKROUTER_TOKEN as string,
					baseUrl: process.env.QUICKROUTER_BASE_URL ?? 'https://api.quickrouter.ai',
				}
			: { apiToken: STANDIN_TOKEN, baseUrl: server?.baseUrl as string },
	};
	console.log(
		live
			? 'Calling the real Quickrouter API.'
			: `Offline: stand-in server at ${server?.baseUrl} (set QUICKROUTER_TOKEN to call the real API).`,
	);

	try {
		for (const outputMode of ['collect', 'perChunk']) {
			const { output, error } = await runWorkflow({
				...geminiWorkflow({ ...parameters, outputMode }, rows),
				credentials,
			});
			if (error) {
				console.log(`\n${outputMode}: the node failed: ${error.message}`);
				if ((error as { description?: string }).description)
					console.log((error as { description?: string }).description);
				process.exitCode = 1;
				continue;
			}
			if (outputMode === 'collect') {
				show(
					'Whole Answer (outputMode "collect")',
					output(NODE),
					({ text, thoughts, finishReason, chunkCount, usageMetadata }) => ({
						text,
						thoughts,
						finishReason,
						chunkCount,
						usageMetadata,
					}),
				);
			} else {
				show(
					'One Item per Chunk (outputMode "perChunk")',
					output(NODE),
					({ chunkIndex, text, thoughts, finishReason }) => ({
						chunkIndex,
						text,
						...(thoughts ? { thoughts } : {}),
						...(finishReason ? { finishReason } : {}),
					}),
				);
			}
		}
		if (server) {
			console.log(
				`\nThe stand-in received ${server.generateRequests.length} streamGenerateContent requests; the first body was:`,
			);
			console.log(server.generateRequests[0]?.rawBody);
		}
		await chatModelDemo(credentials, server);
	} finally {
		await server?.stop();
	}
}

void main();
