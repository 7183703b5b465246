/**
 * Attachments: binary properties of the input item (images, PDF, audio, video) sent as
 * `inlineData` parts, and files already uploaded (File API URIs) as `fileData` parts, with
 * the last user turn, in every contents mode.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { parameterError } from '../shared/n8n/errors';
import type { GeminiContent, GeminiPart } from '../shared/gemini/types';

/** The API takes at most 20 MB of inline data per request; larger files need a File API URI. */
export const MAX_INLINE_BYTES = 20 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Returns `contents` with the attachments added to its last user turn (or a new one). */
export async function withAttachments(
	ctx: IExecuteFunctions,
	itemIndex: number,
	contents: GeminiContent[],
	propertyNames: string[],
	fileData: IDataObject[],
): Promise<GeminiContent[]> {
	if (propertyNames.length === 0 && fileData.length === 0) return contents;
	const parts: GeminiPart[] = [];
	let total = 0;
	for (const name of propertyNames) {
		const binary = ctx.helpers.assertBinaryData(itemIndex, name);
		const data = (await ctx.helpers.getBinaryDataBuffer(itemIndex, name)).toString('base64');
		total += data.length;
		if (total > MAX_INLINE_BYTES) {
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				'Attachments',
				`would send ${megabytes(total)} of inline data with binary property "${name}" (${megabytes(data.length)} encoded); the API takes at most ${megabytes(MAX_INLINE_BYTES)} per request`,
				'Send large files with a File API URI in a fileData part (Contents: JSON) instead.',
			);
		}
		parts.push({ inlineData: { mimeType: binary.mimeType, data } });
	}
	for (const file of fileData) parts.push({ fileData: file });
	const last = contents[contents.length - 1];
	// A copy: the contents may be values an expression took from another item.
	if (last && last.role !== 'model') {
		return [...contents.slice(0, -1), { ...last, parts: [...(last.parts ?? []), ...parts] }];
	}
	return [...contents, { role: 'user', parts }];
}
