/**
 * The stand-in as Gemini's image and speech models, in the shapes Google documents:
 * - An image model thinks first and may show up to two interim "thought" images, which carry
 *   no signature; then "the first text part" after the thoughts and every image of the answer
 *   carry a thoughtSignature (https://ai.google.dev/gemini-api/docs/image-generation, "Thought
 *   signatures" and its example response).
 * - A speech model answers with inlineData parts of raw PCM, `audio/L16;codec=pcm;rate=24000`,
 *   16-bit mono little-endian (Google's samples write them into a WAV with channels=1,
 *   rate=24000, sample_width=2: https://ai.google.dev/gemini-api/docs/speech-generation). The
 *   MIME string is not in Google's docs ([UNVERIFIED]); public TTS clients that read real
 *   answers note it in those words. How many parts a streamed speech answer comes in is not
 *   documented either: 50 ms each here, so that the WAV is assembled from many.
 * The images are small real PNG files, so tools that look at them (`file`) recognise them.
 */
import { deflateSync } from 'node:zlib';

import type { ScriptedReply } from './server';
import { encodeSse } from './sse';

/** A 2×2 red PNG, a 3×2 blue one, and a 1×1 grey draft. */
export const RED_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==';
export const BLUE_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAD0lEQVR4nGNgYPgPQzAWADXeBfvilmCeAAAAAElFTkSuQmCC';
export const DRAFT_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC';

/** CRC-32 (ISO 3309), which every PNG chunk ends with; Node 20's zlib has no crc32 yet. */
function crc32(bytes: Buffer): number {
	let crc = ~0;
	for (const byte of bytes) {
		crc ^= byte;
		for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, crc]);
}

/**
 * A `size`×`size` RGB PNG big enough to be seen in a screenshot: a shaded orange disc on a
 * red cushion. Base64, as Gemini sends images.
 */
export function paintedPng(size = 256): string {
	const rows: Buffer[] = [];
	for (let y = 0; y < size; y++) {
		const row = Buffer.alloc(1 + size * 3); // filter byte 0: none
		for (let x = 0; x < size; x++) {
			const dx = (x - size / 2) / (size * 0.3);
			const dy = (y - size / 2) / (size * 0.3);
			const inside = dx * dx + dy * dy <= 1;
			const shade = inside ? 1 - 0.4 * Math.hypot(dx + 0.4, dy + 0.4) : 0;
			const rgb = inside ? [255 * shade, 150 * shade, 40 * shade] : [180 + (40 * y) / size, 30, 45];
			row.set(
				rgb.map((value) => Math.max(0, Math.min(255, Math.round(value)))),
				1 + x * 3,
			);
		}
		rows.push(row);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
	return Buffer.concat([
		Buffer.from('89504e470d0a1a0a', 'hex'),
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
		pngChunk('IEND', Buffer.alloc(0)),
	]).toString('base64');
}

export const IMAGE_SIGNATURES = ['c2lnLXRleHQ=', 'c2lnLWltYWdlLTE=', 'c2lnLWltYWdlLTI='];

const SSE = { 'content-type': 'text/event-stream' };

const chunk = (parts: object[], extra: object = {}, usageMetadata?: object) => ({
	candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
	...(usageMetadata ? { usageMetadata } : {}),
	modelVersion: 'gemini-3-pro-image-preview',
});

/** Thoughts (text, then a draft image), then text and two final images, each signed. */
export function imageAnswer(): ScriptedReply {
	return imageAnswerWith([RED_PNG, BLUE_PNG]);
}

/** {@link imageAnswer} with other final images (base64). */
export function imageAnswerWith(images: [string, string]): ScriptedReply {
	return {
		headers: SSE,
		body: encodeSse([
			chunk([{ text: 'Composing a cat on a red background.', thought: true }]),
			chunk([{ inlineData: { mimeType: 'image/png', data: DRAFT_PNG }, thought: true }]),
			chunk([{ text: 'Here is your cat.', thoughtSignature: IMAGE_SIGNATURES[0] }]),
			chunk([
				{
					inlineData: { mimeType: 'image/png', data: images[0] },
					thoughtSignature: IMAGE_SIGNATURES[1],
				},
			]),
			chunk([{ text: ' And a blue one:' }]),
			chunk(
				[
					{
						inlineData: { mimeType: 'image/png', data: images[1] },
						thoughtSignature: IMAGE_SIGNATURES[2],
					},
				],
				{ finishReason: 'STOP' },
				// Illustrative counts: each output image is billed as tokens counted among the
				// candidates' (https://ai.google.dev/gemini-api/docs/pricing).
				{
					promptTokenCount: 8,
					candidatesTokenCount: 2252,
					thoughtsTokenCount: 180,
					totalTokenCount: 2440,
				},
			),
		]),
	};
}

export const PCM_MIME = 'audio/L16;codec=pcm;rate=24000';

/** 50 ms of 24 kHz 16-bit mono PCM per chunk: a soft tone, different in every chunk. */
export function pcmChunk(index: number): Buffer {
	const samples = 1200;
	const pcm = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++) {
		pcm.writeInt16LE(
			Math.round(3000 * Math.sin(((index * samples + i) * 2 * Math.PI * 440) / 24000)),
			i * 2,
		);
	}
	return pcm;
}

/** A speech answer in `chunks` PCM chunks of 50 ms each. */
export function speechAnswer(chunks = 40): ScriptedReply {
	return {
		headers: SSE,
		body: encodeSse(
			Array.from({ length: chunks }, (_, index) => ({
				candidates: [
					{
						content: {
							role: 'model',
							parts: [
								{ inlineData: { mimeType: PCM_MIME, data: pcmChunk(index).toString('base64') } },
							],
						},
						index: 0,
						...(index === chunks - 1 ? { finishReason: 'STOP' } : {}),
					},
				],
				...(index === chunks - 1
					? {
							usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 50, totalTokenCount: 59 },
						}
					: {}),
				modelVersion: 'gemini-2.5-flash-preview-tts',
			})),
		),
	};
}
