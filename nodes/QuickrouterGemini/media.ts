/**
 * Media in answers, as n8n keeps media: in binary data, never again as base64 in the JSON.
 * Each final image becomes a binary property (`data`, `data_1`, …); the PCM audio of a speech
 * answer, however many parts it came in, becomes one WAV file. The parts keep everything but
 * the bytes, plus the binary property the bytes went to, so a later turn can send them back
 * (see withBinaryRefsFilled in attachments.ts). Interim "thought" images (an image model's drafts) are not output.
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GeminiBlob, GeminiPart } from '../shared/gemini/types';
import { durationOf, isPcm, pcmFormatOf, type PcmFormat, wavOf } from './wav';

function extensionOf(mimeType: string): string {
	const subtype = mimeType.split('/')[1]?.split(/[+;]/)[0];
	return subtype && /^[\w.-]+$/.test(subtype) ? subtype : 'bin';
}

/** Binary properties `data`, `data_1`, … as an item fills them. */
export class BinaryNames {
	private count = 0;

	next(): string {
		const name = this.count === 0 ? 'data' : `data_${this.count}`;
		this.count++;
		return name;
	}
}

/**
 * The audio of an answer, gathered from its PCM parts and written as one WAV at the end. The
 * parts that referred to it learn its binary property then.
 */
export class SpeechAudio {
	private readonly pieces: Buffer[] = [];

	private readonly refs: GeminiBlob[] = [];

	private format: PcmFormat | undefined;

	/** Takes a PCM part's bytes; returns what the part keeps in their place. */
	add(mimeType: string, base64: string): GeminiBlob {
		this.format ??= pcmFormatOf(mimeType);
		this.pieces.push(Buffer.from(base64, 'base64'));
		const ref: GeminiBlob = { mimeType: 'audio/wav' };
		this.refs.push(ref);
		return ref;
	}

	get isEmpty(): boolean {
		return this.pieces.length === 0;
	}

	/** The WAV as binary data under `property`, and what the item says about it. */
	async write(
		ctx: IExecuteFunctions,
		property: string,
	): Promise<{ binary: IBinaryKeyData; audio: IDataObject }> {
		const format = this.format ?? { sampleRate: 24000, channels: 1 };
		const pcm = Buffer.concat(this.pieces);
		const wav = wavOf(pcm, format);
		for (const ref of this.refs) ref.binaryProperty = property;
		return {
			binary: { [property]: await ctx.helpers.prepareBinaryData(wav, 'audio.wav', 'audio/wav') },
			audio: {
				binaryProperty: property,
				mimeType: 'audio/wav',
				fileName: 'audio.wav',
				fileSize: wav.length,
				sampleRate: format.sampleRate,
				channels: format.channels,
				durationSeconds: Number(durationOf(pcm.length, format).toFixed(3)),
			},
		};
	}
}

export interface PartsMedia {
	/** The parts with their bytes replaced by binary references. */
	parts: GeminiPart[];
	binary: IBinaryKeyData;
	/** One entry per image (or other file): binary property, MIME type, file name, size. */
	images: IDataObject[];
}

/**
 * Moves the inline bytes of `parts` to binary data, PCM audio to `audio`. For an answer's
 * `content`, thought images are dropped and one PCM part stands for the whole audio; for one
 * chunk (`forChunk`), which shows the event as it came, thought images stay without their
 * bytes and every PCM part keeps its reference.
 */
export async function mediaOf(
	ctx: IExecuteFunctions,
	parts: GeminiPart[],
	names: BinaryNames,
	audio: SpeechAudio,
	forChunk: boolean,
): Promise<PartsMedia> {
	const out: PartsMedia = { parts: [], binary: {}, images: [] };
	let pcmRefs = 0;
	for (const part of parts) {
		const { inlineData } = part;
		if (typeof inlineData?.data !== 'string') {
			out.parts.push(part);
			continue;
		}
		const { data, ...rest } = inlineData;
		const mimeType = inlineData.mimeType ?? 'application/octet-stream';
		if (part.thought) {
			if (forChunk) out.parts.push({ ...part, inlineData: rest });
			continue;
		}
		if (isPcm(mimeType)) {
			const ref = audio.add(mimeType, data);
			// In `content`, one part stands for the whole audio; a chunk shows each of its parts.
			if (forChunk || pcmRefs++ === 0) out.parts.push({ ...part, inlineData: ref });
			continue;
		}
		const property = names.next();
		const bytes = Buffer.from(data, 'base64');
		const stem = mimeType.startsWith('image/') ? 'image' : 'file';
		const fileName = `${stem}${out.images.length ? `_${out.images.length}` : ''}.${extensionOf(mimeType)}`;
		out.binary[property] = await ctx.helpers.prepareBinaryData(bytes, fileName, mimeType);
		out.images.push({ binaryProperty: property, mimeType, fileName, fileSize: bytes.length });
		out.parts.push({ ...part, inlineData: { ...rest, mimeType, binaryProperty: property } });
	}
	return out;
}
