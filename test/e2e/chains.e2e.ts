/**
 * The chat model as the model of n8n's own AI chain nodes in the real n8n: Basic LLM Chain,
 * Information Extractor, Text Classifier, Sentiment Analysis and Summarization Chain. Each
 * sends its rows in batches of 5 (their default) and parses the model's answer its own way:
 * plain text, JSON in a fence checked against a schema, booleans per category, an enum.
 *
 * The stand-in answers as a model that follows each chain's prompt would: it tells the chains
 * apart by their system prompts, which are n8n's defaults (quoted from n8n 2.41.1's nodes).
 */
import { KeyWideLimit } from '../standin/rate-limit';
import { lastUserText, type RecordedRequest, type ReplyScript } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';
import { type ExecuteResult, outputOf } from './n8n';
import { useN8nWithStandin } from './suite';
import { type ChainNode, chainWorkflow } from './workflows';

const LANGCHAIN = '@n8n/n8n-nodes-langchain';

/** The rows' texts, as a Rows expression: each row is `{ text }`. */
const rowsOf = (texts: string[]) => `={{ ${JSON.stringify(texts.map((text) => ({ text })))} }}`;

const PEOPLE = ['Ada is 36 years old.', 'Grace is 85 years old.', 'Linus is 29 years old.'];
const PRODUCE = ['An apple a day.', 'Carrots are crunchy.', 'A ripe banana.', 'Leeks in soup.'];
const REVIEWS = ['I love it!', 'It broke in a day, awful.', 'It is a chair.', 'Great value!'];
const ROWS = Array.from({ length: 20 }, (_, index) => `row ${index}`);

const chains: Record<string, ChainNode> = {
	basic: {
		name: 'Basic LLM Chain',
		type: `${LANGCHAIN}.chainLlm`,
		typeVersion: 1.9,
		parameters: { promptType: 'define', text: '={{ $json.text }}' },
	},
	extractor: {
		name: 'Information Extractor',
		type: `${LANGCHAIN}.informationExtractor`,
		typeVersion: 1.2,
		parameters: {
			text: '={{ $json.text }}',
			attributes: {
				attributes: [
					{ name: 'name', type: 'string', description: 'The person’s name', required: true },
					{ name: 'age', type: 'number', description: 'Their age in years', required: true },
				],
			},
			options: {},
		},
	},
	classifier: {
		name: 'Text Classifier',
		type: `${LANGCHAIN}.textClassifier`,
		typeVersion: 1.1,
		parameters: {
			inputText: '={{ $json.text }}',
			categories: {
				categories: [
					{ category: 'Fruit', description: 'The text is about a fruit' },
					{ category: 'Vegetable', description: 'The text is about a vegetable' },
				],
			},
			options: {},
		},
	},
	sentiment: {
		name: 'Sentiment Analysis',
		type: `${LANGCHAIN}.sentimentAnalysis`,
		typeVersion: 1.1,
		parameters: { inputText: '={{ $json.text }}', options: { includeDetailedResults: true } },
	},
	summarization: {
		name: 'Summarization Chain',
		type: `${LANGCHAIN}.chainSummarization`,
		typeVersion: 2.1,
		parameters: { options: {} },
	},
};

const workflows = {
	basic: chainWorkflow('qrE2eChainLlm01', rowsOf(ROWS), chains.basic, 'gemini-2.5-flash'),
	extractor: chainWorkflow('qrE2eExtractor01', rowsOf(PEOPLE), chains.extractor),
	classifier: chainWorkflow('qrE2eClassifier01', rowsOf(PRODUCE), chains.classifier),
	sentiment: chainWorkflow('qrE2eSentiment01', rowsOf(REVIEWS), chains.sentiment),
	summarization: chainWorkflow('qrE2eSummary01', rowsOf(PEOPLE), chains.summarization),
};

const systemText = (body: unknown) =>
	(
		(body as { systemInstruction?: { parts: Array<{ text?: string }> } }).systemInstruction
			?.parts ?? []
	)
		.map((part) => part.text ?? '')
		.join('');

/** The JSON the structured-output chains ask for, in the fence their format instructions show. */
const fenced = (value: unknown) => `\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

/** What a model that follows each chain's prompt answers to `request`. */
function answerOf(request: RecordedRequest): string {
	const system = systemText(request.body);
	const text = lastUserText(request.body);
	if (system.startsWith('You are an expert extraction algorithm.')) {
		const [, name, age] = /^(\w+) is (\d+)/.exec(text) ?? [];
		return fenced({ name, age: Number(age) });
	}
	if (system.startsWith('Please classify the text provided by the user')) {
		const fruit = /apple|banana/.test(text);
		return fenced({ Fruit: fruit, Vegetable: !fruit });
	}
	if (system.startsWith('You are highly intelligent and accurate sentiment analyzer.')) {
		const sentiment = /love|great/i.test(text)
			? 'Positive'
			: /awful/.test(text)
				? 'Negative'
				: 'Neutral';
		return fenced({ sentiment, strength: 0.8, confidence: 0.9 });
	}
	if (text.startsWith('Write a concise summary of the following:')) {
		return `Summary: ${(text.match(/\b(Ada|Grace|Linus)\b/) ?? ['nobody'])[0]}.`;
	}
	return `Echo: ${text}.`;
}

/** The answer in two chunks, as a short real stream comes. */
const script: ReplyScript = (request) => {
	const answer = answerOf(request);
	const half = Math.ceil(answer.length / 2);
	return {
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
		body: encodeSse([
			textChunk(answer.slice(0, half)),
			textChunk(answer.slice(half), {
				finishReason: 'STOP',
				usage: { promptTokenCount: 12, candidatesTokenCount: 8, totalTokenCount: 20 },
			}),
		]),
	};
};

const { n8n, standin } = useN8nWithStandin(Object.values(workflows), script);

/** The items on output `branch` of `node`. */
const branchOf = (result: ExecuteResult, node: string, branch: number) =>
	result.data.resultData.runData[node]?.[0]?.data?.main?.[branch] ?? [];

function expectSucceeded(result: ExecuteResult): void {
	expect(result.data.resultData.error).toBeUndefined();
}

test('Basic LLM Chain under a key-wide limit of 5 requests a second: every row answered in order, refusals bounded', async () => {
	const limit = new KeyWideLimit({ limit: 5, windowMs: 1000 });
	standin.reset(limit.wrap(script));
	const result = await n8n.execute(workflows.basic.id);
	expectSucceeded(result);
	const items = outputOf(result, chains.basic.name);
	expect(items.map((item) => item.json.text)).toEqual(ROWS.map((row) => `Echo: ${row}.`));
	expect(limit.served).toBe(ROWS.length);
	// Bursts of 5 against 5 a second: the first burst after a full one is refused until the
	// limiter holds; after that the pace keeps the window.
	expect(limit.refused).toBeLessThanOrEqual(8);
	for (const request of standin.generateRequests) {
		expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
	}
});

test('Information Extractor: each row’s attributes, parsed from the fenced JSON against its schema', async () => {
	const result = await n8n.execute(workflows.extractor.id);
	expectSucceeded(result);
	expect(outputOf(result, chains.extractor.name).map((item) => item.json.output)).toEqual([
		{ name: 'Ada', age: 36 },
		{ name: 'Grace', age: 85 },
		{ name: 'Linus', age: 29 },
	]);
	const [first] = standin.generateRequests;
	// The chain's system prompt and format instructions go as Gemini's systemInstruction.
	expect(systemText(first.body)).toContain('"age"');
	expect(standin.generateRequests).toHaveLength(PEOPLE.length);
});

test('Text Classifier: each row on the output of its category', async () => {
	const result = await n8n.execute(workflows.classifier.id);
	expectSucceeded(result);
	const texts = (branch: number) =>
		branchOf(result, chains.classifier.name, branch).map((item) => item.json.text);
	expect(texts(0)).toEqual(['An apple a day.', 'A ripe banana.']);
	expect(texts(1)).toEqual(['Carrots are crunchy.', 'Leeks in soup.']);
	expect(standin.generateRequests).toHaveLength(PRODUCE.length);
});

test('Sentiment Analysis: each row on the output of its sentiment, with the detailed results', async () => {
	const result = await n8n.execute(workflows.sentiment.id);
	expectSucceeded(result);
	const rows = (branch: number) =>
		branchOf(result, chains.sentiment.name, branch).map((item) => item.json);
	expect(rows(0).map((row) => row.text)).toEqual(['I love it!', 'Great value!']);
	expect(rows(1).map((row) => row.text)).toEqual(['It is a chair.']);
	expect(rows(2).map((row) => row.text)).toEqual(['It broke in a day, awful.']);
	expect(rows(0)[0].sentimentAnalysis).toEqual({
		category: 'Positive',
		strength: 0.8,
		confidence: 0.9,
	});
	expect(standin.generateRequests).toHaveLength(REVIEWS.length);
});

test('Summarization Chain (map-reduce, its default): one summary per row', async () => {
	const result = await n8n.execute(workflows.summarization.id);
	expectSucceeded(result);
	const outputs = outputOf(result, chains.summarization.name).map((item) => item.json.output);
	expect(outputs).toEqual([
		{ text: 'Summary: Ada.' },
		{ text: 'Summary: Grace.' },
		{ text: 'Summary: Linus.' },
	]);
	// Each row is one chunk that fits the model's context (by the chat model's local token count),
	// so map-reduce goes straight to the combining request.
	expect(standin.generateRequests).toHaveLength(PEOPLE.length);
});
