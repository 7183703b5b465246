import { durationOf, isPcm, pcmFormatOf, wavOf } from '../../nodes/QuickrouterGemini/wav';

test('Gemini’s speech MIME type is PCM at 24 kHz, mono', () => {
	expect(isPcm('audio/L16;codec=pcm;rate=24000')).toBe(true);
	expect(isPcm('audio/pcm')).toBe(true);
	expect(isPcm('audio/mpeg')).toBe(false);
	expect(isPcm(undefined)).toBe(false);
	expect(pcmFormatOf('audio/L16;codec=pcm;rate=24000')).toEqual({ sampleRate: 24000, channels: 1 });
	expect(pcmFormatOf('audio/l16; rate=16000; channels=2')).toEqual({
		sampleRate: 16000,
		channels: 2,
	});
	expect(pcmFormatOf('audio/pcm')).toEqual({ sampleRate: 24000, channels: 1 });
});

test('the WAV header describes the samples that follow it', () => {
	const pcm = Buffer.alloc(48_000, 7);
	const wav = wavOf(pcm, { sampleRate: 24000, channels: 1 });
	expect(wav.length).toBe(44 + 48_000);
	expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
	expect(wav.readUInt32LE(4)).toBe(36 + 48_000);
	expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
	expect(wav.readUInt32LE(16)).toBe(16);
	expect(wav.readUInt16LE(20)).toBe(1); // PCM
	expect(wav.readUInt16LE(22)).toBe(1); // mono
	expect(wav.readUInt32LE(24)).toBe(24000);
	expect(wav.readUInt32LE(28)).toBe(48000); // bytes per second
	expect(wav.readUInt16LE(32)).toBe(2); // bytes per frame
	expect(wav.readUInt16LE(34)).toBe(16);
	expect(wav.toString('ascii', 36, 40)).toBe('data');
	expect(wav.readUInt32LE(40)).toBe(48_000);
	expect(wav.subarray(44).equals(pcm)).toBe(true);
	expect(durationOf(48_000, { sampleRate: 24000, channels: 1 })).toBe(1);
});
