/**
 * Raw PCM as Gemini's speech models send it -> one playable WAV file. The audio arrives as
 * `audio/L16;codec=pcm;rate=24000` parts: 16-bit signed little-endian samples, mono, at the
 * rate the MIME type names (Google's own samples write these bytes unchanged into a WAV with
 * `channels=1, rate=24000, sample_width=2`: https://ai.google.dev/gemini-api/docs/speech-generation).
 */

export interface PcmFormat {
	sampleRate: number;
	channels: number;
}

const BITS_PER_SAMPLE = 16;
const HEADER_BYTES = 44;

/** Whether a MIME type is raw 16-bit PCM (`audio/L16`, `audio/pcm`). */
export function isPcm(mimeType: string | undefined): boolean {
	return /^audio\/(l16|pcm)\b/i.test(mimeType ?? '');
}

/** The rate and channels a PCM MIME type names (`rate=24000`, `channels=1`), else Gemini's. */
export function pcmFormatOf(mimeType: string): PcmFormat {
	const parameter = (name: string) => {
		const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(\\d+)`, 'i').exec(mimeType);
		return match ? Number(match[1]) : undefined;
	};
	return { sampleRate: parameter('rate') ?? 24000, channels: parameter('channels') ?? 1 };
}

/** The PCM samples with a RIFF/WAVE header in front (PCM format 1, 16 bits). */
export function wavOf(pcm: Buffer, { sampleRate, channels }: PcmFormat): Buffer {
	const blockAlign = (channels * BITS_PER_SAMPLE) / 8;
	const header = Buffer.alloc(HEADER_BYTES);
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(HEADER_BYTES - 8 + pcm.length, 4);
	header.write('WAVE', 8, 'ascii');
	header.write('fmt ', 12, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20);
	header.writeUInt16LE(channels, 22);
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * blockAlign, 28);
	header.writeUInt16LE(blockAlign, 32);
	header.writeUInt16LE(BITS_PER_SAMPLE, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(pcm.length, 40);
	return Buffer.concat([header, pcm]);
}

/** Seconds of audio in `bytes` of PCM. */
export function durationOf(bytes: number, { sampleRate, channels }: PcmFormat): number {
	return bytes / (sampleRate * channels * (BITS_PER_SAMPLE / 8));
}
