/**
 * Images and speech out, as n8n keeps media: binary data with its MIME type and file name,
 * one playable WAV for a speech answer, no base64 in the JSON; and an earlier answer's image
 * sent back, with its signature, for a multi-turn edit.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import {
	BLUE_PNG,
	DRAFT_PNG,
	IMAGE_SIGNATURES,
	imageAnswer,
	pcmChunk,
	RED_PNG,
	speechAnswer,
} from '../standin/media';

const server = useStandin();

const bytesOf = (base64: string) => Buffer.from(base64, 'base64').length;
const buffer = (item: INodeExecutionData, property: string) =>
	Buffer.from(item.binary?.[property]?.data as string, 'base64');

describe('images out', () => {
	test('Whole Answer: the final images as binary data, the draft left out, no bytes in the JSON', async () => {
		server.reset(imageAnswer);
		const { output, run } = await runGemini(server, {
			prompt: 'Draw a cat',
			model: { __rl: true, mode: 'id', value: 'gemini-3-pro-image-preview' },
			generationConfig: {
				responseModalities: ['TEXT', 'IMAGE'],
				aspectRatio: '4:3',
				imageSize: '2K',
			},
		});
		const [item] = output(GEMINI);
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/png', fileName: 'image.png' });
		expect(item.binary?.data_1).toMatchObject({ mimeType: 'image/png', fileName: 'image_1.png' });
		expect(buffer(item, 'data').equals(Buffer.from(RED_PNG, 'base64'))).toBe(true);
		expect(buffer(item, 'data_1').equals(Buffer.from(BLUE_PNG, 'base64'))).toBe(true);
		expect(item.json.images).toEqual([
			{
				binaryProperty: 'data',
				mimeType: 'image/png',
				fileName: 'image.png',
				fileSize: bytesOf(RED_PNG),
			},
			{
				binaryProperty: 'data_1',
				mimeType: 'image/png',
				fileName: 'image_1.png',
				fileSize: bytesOf(BLUE_PNG),
			},
		]);
		expect(item.json.text).toBe('Here is your cat. And a blue one:');
		expect(item.json.content).toEqual({
			role: 'model',
			parts: [
				{ text: 'Composing a cat on a red background.', thought: true },
				{ text: 'Here is your cat.', thoughtSignature: IMAGE_SIGNATURES[0] },
				{
					inlineData: { mimeType: 'image/png', binaryProperty: 'data' },
					thoughtSignature: IMAGE_SIGNATURES[1],
				},
				{ text: ' And a blue one:' },
				{
					inlineData: { mimeType: 'image/png', binaryProperty: 'data_1' },
					thoughtSignature: IMAGE_SIGNATURES[2],
				},
			],
		});
		// The request asked for images under the API's own names.
		expect((server.generateRequests[0].body as IDataObject).generationConfig).toEqual({
			responseModalities: ['TEXT', 'IMAGE'],
			imageConfig: { aspectRatio: '4:3', imageSize: '2K' },
		});
		// The binary data lives in n8n's binary store; the JSON of the run holds none of it.
		const json = JSON.stringify({ ...run, data: { ...run.data } }, (key, value) =>
			key === 'binary' ? undefined : (value as unknown),
		);
		for (const png of [RED_PNG, BLUE_PNG, DRAFT_PNG]) expect(json).not.toContain(png.slice(0, 40));
	});

	test('One Item per Chunk: each image on the item of its chunk; the JSON holds no bytes', async () => {
		server.reset(imageAnswer);
		const { output } = await runGemini(server, { prompt: 'Draw a cat', outputMode: 'perChunk' });
		const items = output(GEMINI);
		expect(items.map((item) => Object.keys(item.binary ?? {}))).toEqual([
			[],
			[],
			[],
			['data'],
			[],
			['data'],
		]);
		expect(buffer(items[3], 'data').equals(Buffer.from(RED_PNG, 'base64'))).toBe(true);
		expect(buffer(items[5], 'data').equals(Buffer.from(BLUE_PNG, 'base64'))).toBe(true);
		const draft = (items[1].json.chunk as { candidates: Array<{ content: { parts: unknown[] } }> })
			.candidates[0].content.parts;
		expect(draft).toEqual([{ inlineData: { mimeType: 'image/png' }, thought: true }]);
		expect(JSON.stringify(items.map((item) => item.json))).not.toContain(RED_PNG.slice(0, 40));
	});

	test("a multi-turn edit sends the earlier answer's image back from the item's binary, signature and all", async () => {
		server.reset(imageAnswer);
		const [first] = (await runGemini(server, { prompt: 'Draw a cat' })).output(GEMINI);
		server.reset(imageAnswer);
		await runGemini(
			server,
			{
				contentsMode: 'json',
				contentsJson:
					'={{ [{ role: "user", parts: [{ text: "Draw a cat" }] }, $json.content, { role: "user", parts: [{ text: "Make the first one blue" }] }] }}',
			},
			{
				rows: [
					{
						content: first.json.content,
						$binary: {
							data: { data: RED_PNG, mimeType: 'image/png', fileName: 'image.png' },
							data_1: { data: BLUE_PNG, mimeType: 'image/png', fileName: 'image_1.png' },
						},
					},
				],
			},
		);
		const sent = (server.generateRequests[0].body as { contents: Array<{ parts: IDataObject[] }> })
			.contents[1].parts;
		expect(sent[2]).toEqual({
			inlineData: { mimeType: 'image/png', data: RED_PNG },
			thoughtSignature: IMAGE_SIGNATURES[1],
		});
		expect(sent[4]).toEqual({
			inlineData: { mimeType: 'image/png', data: BLUE_PNG },
			thoughtSignature: IMAGE_SIGNATURES[2],
		});
	});

	test('a reference to a binary property the item does not have is a clear error', async () => {
		const { error } = await runGemini(server, {
			contentsMode: 'json',
			contentsJson: JSON.stringify([
				{ role: 'user', parts: [{ text: 'hi' }] },
				{
					role: 'model',
					parts: [{ inlineData: { mimeType: 'image/png', binaryProperty: 'data' } }],
				},
				{ role: 'user', parts: [{ text: 'again' }] },
			]),
		});
		expect(error?.message).toBe(
			'"Contents (JSON)" of item 0 refers in part 1 of turn 2 to the binary property "data", which the item does not have',
		);
		expect(server.generateRequests).toHaveLength(0);
	});
});

describe('speech out', () => {
	const pcm = Buffer.concat(Array.from({ length: 40 }, (_, index) => pcmChunk(index)));

	function expectWav(wav: Buffer) {
		expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
		expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
		expect(wav.readUInt16LE(20)).toBe(1); // PCM
		expect(wav.readUInt16LE(22)).toBe(1); // mono
		expect(wav.readUInt32LE(24)).toBe(24000);
		expect(wav.readUInt16LE(34)).toBe(16);
		expect(wav.readUInt32LE(40)).toBe(pcm.length);
		expect(wav.subarray(44).equals(pcm)).toBe(true);
	}

	test('Whole Answer: 40 PCM chunks become one playable WAV of 2 seconds', async () => {
		server.reset(() => speechAnswer(40));
		const { output, run } = await runGemini(server, {
			prompt: 'Say hello warmly',
			model: { __rl: true, mode: 'id', value: 'gemini-2.5-flash-preview-tts' },
			generationConfig: { responseModalities: ['AUDIO'], voiceName: 'Kore' },
		});
		const [item] = output(GEMINI);
		expect(Object.keys(item.binary ?? {})).toEqual(['data']);
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/wav', fileName: 'audio.wav' });
		expectWav(buffer(item, 'data'));
		expect(item.json.audio).toEqual({
			binaryProperty: 'data',
			mimeType: 'audio/wav',
			fileName: 'audio.wav',
			fileSize: 44 + pcm.length,
			sampleRate: 24000,
			channels: 1,
			durationSeconds: 2,
		});
		expect(item.json.content).toEqual({
			role: 'model',
			parts: [{ inlineData: { mimeType: 'audio/wav', binaryProperty: 'data' } }],
		});
		expect((server.generateRequests[0].body as IDataObject).generationConfig).toEqual({
			responseModalities: ['AUDIO'],
			speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
		});
		const json = JSON.stringify(run, (key, value) =>
			key === 'binary' ? undefined : (value as unknown),
		);
		expect(json).not.toContain(pcmChunk(7).toString('base64').slice(0, 40));
	});

	test('One Item per Chunk: 40 items, the one WAV on the last', async () => {
		server.reset(() => speechAnswer(40));
		const { output } = await runGemini(server, { prompt: 'Say hello', outputMode: 'perChunk' });
		const items = output(GEMINI);
		expect(items).toHaveLength(40);
		expect(items.slice(0, 39).every((item) => item.binary === undefined)).toBe(true);
		expectWav(buffer(items[39], 'data'));
		expect(items[39].json.audio).toMatchObject({ binaryProperty: 'data', durationSeconds: 2 });
		const part = (
			items[0].json.chunk as { candidates: Array<{ content: { parts: IDataObject[] } }> }
		).candidates[0].content.parts[0];
		expect(part).toEqual({ inlineData: { mimeType: 'audio/wav', binaryProperty: 'data' } });
	});
});
