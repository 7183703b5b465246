/**
 * Binary data of the input item sent as inline data: the files come from n8n's own binary
 * helper (as a Read Binary File or HTTP Request node would produce them).
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { QuickrouterGemini } from '../../nodes/QuickrouterGemini/QuickrouterGemini.node';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';

const server = useStandin();

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex').toString('base64');
const PDF = Buffer.from('%PDF-1.4 tiny').toString('base64');
const row = {
	$binary: {
		image: { data: PNG, mimeType: 'image/png', fileName: 'cat.png' },
		invoice: { data: PDF, mimeType: 'application/pdf', fileName: 'invoice.pdf' },
	},
};

test('a prompt with attachments sends them as inline data after the text', async () => {
	const { error, output } = await runGemini(
		server,
		{ prompt: 'Describe these.', options: { attachments: 'image, invoice' } },
		{ rows: [row] },
	);
	expect(error).toBeUndefined();
	expect(server.generateRequests[0].body).toEqual({
		contents: [
			{
				role: 'user',
				parts: [
					{ text: 'Describe these.' },
					{ inlineData: { mimeType: 'image/png', data: PNG } },
					{ inlineData: { mimeType: 'application/pdf', data: PDF } },
				],
			},
		],
	});
	expect(output(GEMINI)).toHaveLength(1);
});

test('with messages, the attachment joins the last user message', async () => {
	await runGemini(
		server,
		{
			contentsMode: 'messages',
			messages: {
				values: [
					{ role: 'user', text: 'Hi' },
					{ role: 'model', text: 'Hello' },
					{ role: 'user', text: 'What is this?' },
				],
			},
			options: { attachments: 'image' },
		},
		{ rows: [row] },
	);
	const contents = (server.generateRequests[0].body as { contents: Array<{ parts: unknown[] }> })
		.contents;
	expect(contents[2].parts).toEqual([
		{ text: 'What is this?' },
		{ inlineData: { mimeType: 'image/png', data: PNG } },
	]);
	expect(contents[0].parts).toEqual([{ text: 'Hi' }]);
});

test('with JSON contents ending in a model turn, the attachments go in a new user turn', async () => {
	await runGemini(
		server,
		{
			contentsMode: 'json',
			contentsJson:
				'[{"role": "user", "parts": [{"text": "Look"}]}, {"role": "model", "parts": [{"text": "Send it"}]}]',
			options: { attachments: 'invoice' },
		},
		{ rows: [row] },
	);
	const contents = (server.generateRequests[0].body as { contents: unknown[] }).contents;
	expect(contents[2]).toEqual({
		role: 'user',
		parts: [{ inlineData: { mimeType: 'application/pdf', data: PDF } }],
	});
});

test('a missing binary property fails before any request, naming it', async () => {
	const { error } = await runGemini(
		server,
		{ prompt: 'x', options: { attachments: 'photo' } },
		{ rows: [row] },
	);
	expect(error?.message).toMatch(/photo/);
	expect(server.generateRequests).toHaveLength(0);
});

test('more inline data than Max Inline Data fails before any request, naming the property and its size', async () => {
	const big = Buffer.alloc(16 * 1024 * 1024, 7).toString('base64');
	const { error } = await runGemini(
		server,
		{ prompt: 'x', options: { attachments: 'video', maxInlineSize: 20 } },
		{ rows: [{ $binary: { video: { data: big, mimeType: 'video/mp4', fileName: 'clip.mp4' } } }] },
	);
	expect(error?.message).toBe(
		'"Attachments" of item 0 would send 21.3 MB of inline data with binary property "video" (21.3 MB encoded); Max Inline Data is 20.0 MB',
	);
	expect((error as { description?: string }).description).toMatch(/File URIs/);
	expect(server.generateRequests).toHaveLength(0);
});

test('by default up to the API’s 100 MB goes inline (it was 20 MB before January 2026)', async () => {
	const big = Buffer.alloc(16 * 1024 * 1024, 7).toString('base64');
	const { error } = await runGemini(
		server,
		{ prompt: 'x', options: { attachments: 'video' } },
		{ rows: [{ $binary: { video: { data: big, mimeType: 'video/mp4', fileName: 'clip.mp4' } } }] },
	);
	expect(error).toBeUndefined();
	const parts = (server.generateRequests[0].body as { contents: Array<{ parts: unknown[] }> })
		.contents[0].parts;
	expect(parts[1]).toEqual({ inlineData: { mimeType: 'video/mp4', data: big } });
});

test('a request the API finds too large names what it sent inline', async () => {
	const photo = Buffer.alloc(1024, 1).toString('base64');
	server.reset(() => ({
		status: 400,
		headers: { 'content-type': 'application/json' },
		// The Gemini API's words for it (seen in MaKTaiL/gemini-srt-translator#63).
		body: JSON.stringify({
			error: {
				code: 400,
				message: 'Request payload size exceeds the limit: 314572800 bytes.',
				status: 'INVALID_ARGUMENT',
			},
		}),
	}));
	const { error } = await runGemini(
		server,
		{ prompt: 'x', options: { attachments: 'photo', maxRetries: 0 } },
		{ rows: [{ $binary: { photo: { data: photo, mimeType: 'image/png', fileName: 'a.png' } } }] },
	);
	expect(error?.message).toBe(
		'400 INVALID_ARGUMENT: Request payload size exceeds the limit: 314572800 bytes.',
	);
	expect((error as { description?: string }).description).toContain(
		'This request sent 0.0 MB of inline data (base64): binary property "photo": 0.0 MB. Send large files by URL instead (Options > File URIs).',
	);
});

test('File API URIs go out as fileData parts after the inline data', async () => {
	const file = {
		fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123',
		mimeType: 'video/mp4',
	};
	await runGemini(
		server,
		{ prompt: 'Summarize.', options: { attachments: 'image', fileData: JSON.stringify([file]) } },
		{ rows: [row] },
	);
	expect(
		(server.generateRequests[0].body as { contents: Array<{ parts: unknown[] }> }).contents[0]
			.parts,
	).toEqual([
		{ text: 'Summarize.' },
		{ inlineData: { mimeType: 'image/png', data: PNG } },
		{ fileData: file },
	]);
});

test('File API URIs without a MIME type fail before any request, naming the field', async () => {
	const { error } = await runGemini(server, {
		prompt: 'x',
		options: { fileData: '[{"fileUri": "files/abc"}]' },
	});
	expect(error?.message).toBe(
		'"File URIs (JSON)" of item 0 is not an array of { "fileUri", "mimeType" } objects',
	);
	expect(server.generateRequests).toHaveLength(0);
});

describe('Attachment Media Resolution', () => {
	const file = { fileUri: 'https://example.com/report.pdf', mimeType: 'application/pdf' };

	test('the editor offers the four levels a part takes, Ultra High included', () => {
		const options = new QuickrouterGemini().description.properties.find(
			(property) => property.name === 'options',
		)?.options as INodeProperties[];
		const option = options.find((entry) => entry.name === 'attachmentMediaResolution');
		expect(
			(option?.options as INodePropertyOptions[]).map(({ name, value }) => [name, value]),
		).toEqual([
			['Low', 'MEDIA_RESOLUTION_LOW'],
			['Medium', 'MEDIA_RESOLUTION_MEDIUM'],
			['High', 'MEDIA_RESOLUTION_HIGH'],
			['Ultra High', 'MEDIA_RESOLUTION_ULTRA_HIGH'],
		]);
	});

	test('gives every part of Attachments and File URIs its own level, beside the request-wide one', async () => {
		const { error } = await runGemini(
			server,
			{
				prompt: 'Compare.',
				generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_LOW' },
				options: {
					attachments: 'image, invoice',
					fileData: JSON.stringify([file]),
					attachmentMediaResolution: 'MEDIA_RESOLUTION_ULTRA_HIGH',
				},
			},
			{ rows: [row] },
		);
		expect(error).toBeUndefined();
		const level = { level: 'MEDIA_RESOLUTION_ULTRA_HIGH' };
		expect(server.generateRequests[0].body).toEqual({
			contents: [
				{
					role: 'user',
					parts: [
						{ text: 'Compare.' },
						{ inlineData: { mimeType: 'image/png', data: PNG }, mediaResolution: level },
						{ inlineData: { mimeType: 'application/pdf', data: PDF }, mediaResolution: level },
						{ fileData: file, mediaResolution: level },
					],
				},
			],
			generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_LOW' },
		});
	});

	test('a part of Contents (JSON) keeps its own level; the option leaves it alone', async () => {
		const { error } = await runGemini(
			server,
			{
				contentsMode: 'json',
				contentsJson: JSON.stringify([
					{
						role: 'user',
						parts: [
							{ text: 'Read both.' },
							{
								inlineData: { mimeType: 'image/png', binaryProperty: 'image' },
								mediaResolution: { level: 'MEDIA_RESOLUTION_LOW' },
							},
						],
					},
				]),
				options: { attachments: 'invoice', attachmentMediaResolution: 'MEDIA_RESOLUTION_HIGH' },
			},
			{ rows: [row] },
		);
		expect(error).toBeUndefined();
		const body = server.generateRequests[0].body as { contents: Array<{ parts: unknown[] }> };
		expect(body.contents[0].parts).toEqual([
			{ text: 'Read both.' },
			{
				inlineData: { mimeType: 'image/png', data: PNG },
				mediaResolution: { level: 'MEDIA_RESOLUTION_LOW' },
			},
			{
				inlineData: { mimeType: 'application/pdf', data: PDF },
				mediaResolution: { level: 'MEDIA_RESOLUTION_HIGH' },
			},
		]);
	});

	test('a level the API does not take fails before any request, naming the option', async () => {
		const { error } = await runGemini(
			server,
			{
				prompt: 'x',
				options: {
					attachments: 'image',
					attachmentMediaResolution: '={{ "MEDIA_RESOLUTION_MAX" }}',
				},
			},
			{ rows: [row] },
		);
		expect(error?.message).toBe(
			'"Attachment Media Resolution" of item 0 must be one of MEDIA_RESOLUTION_LOW, MEDIA_RESOLUTION_MEDIUM, MEDIA_RESOLUTION_HIGH, MEDIA_RESOLUTION_ULTRA_HIGH, not "MEDIA_RESOLUTION_MAX"',
		);
		expect(server.generateRequests).toHaveLength(0);
	});
});
