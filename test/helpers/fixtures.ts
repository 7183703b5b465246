import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_DIR = path.resolve(__dirname, '../fixtures');

export interface TextDigest {
	length: number;
	sha256_16: string;
	startsWith: string;
	endsWith?: string;
}

export interface FixtureExpectation {
	events: number;
	text?: string;
	textDigest?: TextDigest;
	thoughts?: TextDigest;
	finishReason: string | null;
	blockReason?: string;
	modelVersion?: string;
	usageMetadata?: Record<string, unknown>;
	functionCalls?: unknown[];
}

export const EXPECTED: Record<string, FixtureExpectation> = JSON.parse(
	readFileSync(path.join(FIXTURE_DIR, 'expected.json'), 'utf8'),
);

export const FIXTURE_NAMES = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.txt'));

export function readFixture(name: string): Buffer {
	return readFileSync(path.join(FIXTURE_DIR, name));
}

/** The bytes cut into reads of `size` bytes, as a slow network would deliver them. */
export function splitBytes(bytes: Buffer, size: number): Buffer[] {
	const pieces: Buffer[] = [];
	for (let offset = 0; offset < bytes.length; offset += size) {
		pieces.push(bytes.subarray(offset, offset + size));
	}
	return pieces;
}

export async function* asStream(pieces: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
	for (const piece of pieces) yield piece;
}

export function digestOf(text: string): Omit<TextDigest, 'startsWith' | 'endsWith'> {
	return {
		length: [...text].length,
		sha256_16: createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16),
	};
}

/** Checks text against the expectation: the full text, or its length, hash and ends. */
export function expectText(text: string, expected: { text?: string; digest?: TextDigest }): void {
	if (expected.text !== undefined) {
		expect(text).toBe(expected.text);
		return;
	}
	const digest = expected.digest as TextDigest;
	expect(digestOf(text)).toEqual({ length: digest.length, sha256_16: digest.sha256_16 });
	expect(text.startsWith(digest.startsWith)).toBe(true);
	if (digest.endsWith) expect(text.endsWith(digest.endsWith)).toBe(true);
}
