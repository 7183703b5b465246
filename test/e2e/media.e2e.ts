/**
 * Images and speech in the real n8n: an image model's answer and a speech model's answer run
 * with `n8n execute`, their binary data written to disk by n8n's own Read/Write Files node, and
 * checked with the tools anyone would use: `file` for the image, `sox --i` for the WAV (both
 * from Debian's packages). The run's JSON holds none of the media's bytes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import {
	BLUE_PNG,
	DRAFT_PNG,
	imageAnswer,
	pcmChunk,
	RED_PNG,
	speechAnswer,
} from '../standin/media';
import type { RecordedRequest } from '../standin/server';
import { outputOf } from './n8n';
import { useN8nWithStandin } from './suite';
import { geminiNode, manualWorkflow, type Workflow, type WorkflowNode } from './workflows';

const exec = promisify(execFile);

// .ci/run installs `file` and `sox` from Debian's packages; without one, its check is skipped
// (said once, loudly) and only the file's signature bytes are checked.
const installed = (tool: string) => spawnSync(tool, ['--version']).error === undefined;
const HAS_FILE = installed('file');
const HAS_SOX = installed('sox');
for (const [tool, has] of [
	['file', HAS_FILE],
	['sox', HAS_SOX],
] as const) {
	if (!has)
		console.log(
			`\n==== SKIP the \`${tool}\` checks: not installed (apt-get install ${tool}) ====\n`,
		);
}

// n8n 2 lets its file nodes write only where N8N_RESTRICT_FILE_ACCESS_TO allows.
const OUT = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-media-'));

function writeFile(fileName: string, property: string): WorkflowNode {
	return {
		id: `write-${fileName}`,
		name: `Write ${fileName}`,
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		position: [660, 0],
		parameters: {
			operation: 'write',
			fileName: path.join(OUT, fileName),
			dataPropertyName: property,
			options: {},
		},
	};
}

function mediaWorkflow(
	id: string,
	parameters: Record<string, unknown>,
	file: WorkflowNode,
): Workflow {
	return manualWorkflow(id, `Media ${id}`, [
		geminiNode('Quickrouter Gemini', parameters, [330, 0]),
		file,
	]);
}

const workflows = {
	image: mediaWorkflow(
		'qrE2eImage01',
		{
			model: { __rl: true, mode: 'id', value: 'gemini-3-pro-image-preview' },
			prompt: 'Draw a cat on a red cushion',
			generationConfig: {
				responseModalities: ['TEXT', 'IMAGE'],
				aspectRatio: '1:1',
				imageSize: '1K',
			},
			options: {},
		},
		writeFile('cat.png', 'data'),
	),
	speech: mediaWorkflow(
		'qrE2eSpeech01',
		{
			model: { __rl: true, mode: 'id', value: 'gemini-2.5-flash-preview-tts' },
			prompt: 'Say cheerfully: have a wonderful day!',
			generationConfig: { responseModalities: ['AUDIO'], voiceName: 'Kore' },
			options: {},
		},
		writeFile('hello.wav', 'data'),
	),
};

const byModel = (request: RecordedRequest) =>
	request.model === 'gemini-2.5-flash-preview-tts' ? speechAnswer(40) : imageAnswer();

const { n8n, standin } = useN8nWithStandin(Object.values(workflows), byModel, {
	env: { N8N_RESTRICT_FILE_ACCESS_TO: OUT },
});

test('an image answer: the final images are binary data, `file` says PNG, the JSON holds no bytes', async () => {
	const result = await n8n.execute(workflows.image.id);
	expect(result.data.resultData.error).toBeUndefined();
	const [item] = outputOf(result, 'Quickrouter Gemini');
	expect(item.json.images).toEqual([
		expect.objectContaining({
			binaryProperty: 'data',
			mimeType: 'image/png',
			fileName: 'image.png',
		}),
		expect.objectContaining({ binaryProperty: 'data_1', mimeType: 'image/png' }),
	]);
	const png = path.join(OUT, 'cat.png');
	expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
	if (HAS_FILE) {
		const { stdout } = await exec('file', [png]);
		expect(stdout).toContain('PNG image data, 2 x 2');
	}
	const json = JSON.stringify(result);
	for (const png of [RED_PNG, BLUE_PNG, DRAFT_PNG]) expect(json).not.toContain(png.slice(0, 40));
	expect(
		(standin.generateRequests[0].body as { generationConfig: unknown }).generationConfig,
	).toEqual({
		responseModalities: ['TEXT', 'IMAGE'],
		imageConfig: { aspectRatio: '1:1', imageSize: '1K' },
	});
});

test('a speech answer: 40 PCM chunks become one WAV that `sox --i` reads as 2 s of 24 kHz mono', async () => {
	const result = await n8n.execute(workflows.speech.id);
	expect(result.data.resultData.error).toBeUndefined();
	const [item] = outputOf(result, 'Quickrouter Gemini');
	expect(item.json.audio).toMatchObject({
		binaryProperty: 'data',
		mimeType: 'audio/wav',
		fileName: 'audio.wav',
		sampleRate: 24000,
		channels: 1,
		durationSeconds: 2,
	});
	const wav = path.join(OUT, 'hello.wav');
	expect(readFileSync(wav).subarray(0, 4).toString()).toBe('RIFF');
	if (HAS_SOX) {
		const { stdout } = await exec('sox', ['--i', wav]);
		expect(stdout).toMatch(/Channels\s*:\s*1/);
		expect(stdout).toMatch(/Sample Rate\s*:\s*24000/);
		expect(stdout).toMatch(/Precision\s*:\s*16-bit/);
		expect(stdout).toMatch(/Duration\s*:\s*00:00:02\.00 = 48000 samples/);
	}
	expect(JSON.stringify(result)).not.toContain(pcmChunk(3).toString('base64').slice(0, 40));
});
