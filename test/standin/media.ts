/**
 * The stand-in as Gemini's image and speech models, in the shapes Google documents:
 * - An image model thinks first and may show up to two interim "thought" images, which carry
 *   no signature; then "the first text part" after the thoughts and every image of the answer
 *   carry a thoughtSignature (https://ai.google.dev/gemini-api/docs/image-generation, "Thought
 *   signatures" and its example response).
 * - A speech model answers with inlineData parts of raw PCM, `audio/L16;codec=pcm;rate=24000`,
 *   16-bit mono little-endian (Google's samples write them into a WAV with channels=1,
 *   rate=24000, sample_width=2: https://ai.google.dev/gemini-api/docs/speech-generation).
 * The images are small real PNG files, so tools that look at them (`file`) recognise them.
 */
import type { ScriptedReply } from './server';
import { encodeSse } from './sse';

/** A 2×2 red PNG, a 3×2 blue one, and a 1×1 grey draft. */
export const RED_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==';
export const BLUE_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAD0lEQVR4nGNgYPgPQzAWADXeBfvilmCeAAAAAElFTkSuQmCC';
export const DRAFT_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC';

export const IMAGE_SIGNATURES = ['c2lnLXRleHQ=', 'c2lnLWltYWdlLTE=', 'c2lnLWltYWdlLTI='];

const SSE = { 'content-type': 'text/event-stream' };

const chunk = (parts: object[], extra: object = {}) => ({
	candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
	modelVersion: 'gemini-3-pro-image-preview',
});

/** Thoughts (text, then a draft image), then text and two final images, each signed. */
export function imageAnswer(): ScriptedReply {
	return {
		headers: SSE,
		body: encodeSse([
			chunk([{ text: 'Composing a cat on a red background.', thought: true }]),
			chunk([{ inlineData: { mimeType: 'image/png', data: DRAFT_PNG }, thought: true }]),
			chunk([{ text: 'Here is your cat.', thoughtSignature: IMAGE_SIGNATURES[0] }]),
			chunk([
				{
					inlineData: { mimeType: 'image/png', data: RED_PNG },
					thoughtSignature: IMAGE_SIGNATURES[1],
				},
			]),
			chunk([{ text: ' And a blue one:' }]),
			chunk(
				[
					{
						inlineData: { mimeType: 'image/png', data: BLUE_PNG },
						thoughtSignature: IMAGE_SIGNATURES[2],
					},
				],
				{ finishReason: 'STOP' },
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
