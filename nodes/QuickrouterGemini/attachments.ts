/**
 * Files into a request: binary properties of the input item (images, PDF, audio, video) sent
 * as `inlineData` parts and files by URI (File API, or HTTPS URLs the API fetches itself) as
 * `fileData` parts, with the last user turn; and images of an earlier answer that Contents
 * (JSON) refers to by binary property, filled back in. All inline data of a request counts
 * against Max Inline Data.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isPlainObject } from '../shared/gemini/json';
import type { GeminiContent, GeminiPart } from '../shared/gemini/types';
import { parameterError } from '../shared/runtime/errors';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The inline data one request carries, against the limit, by where each piece came from. */
export class InlineData {
	private readonly pieces: Array<{ source: string; bytes: number }> = [];

	private total = 0;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly itemIndex: number,
		/** The most inline data (base64) one request may carry. */
		readonly limitBytes: number,
	) {}

	/** Counts one piece of inline data; fails the item, naming it, past the limit. */
	add(field: string, source: string, base64Bytes: number): void {
		this.pieces.push({ source, bytes: base64Bytes });
		this.total += base64Bytes;
		if (this.total > this.limitBytes) {
			throw parameterError(
				this.ctx.getNode(),
				this.itemIndex,
				field,
				`would send ${megabytes(this.total)} of inline data with ${source} (${megabytes(base64Bytes)} encoded); Max Inline Data is ${megabytes(this.limitBytes)}`,
				'Send large files by URL instead (Options > File URIs: a File API URI, or an HTTPS URL the API can fetch), or raise Max Inline Data if your model takes more.',
			);
		}
	}

	/** For an error from the API about the request's size: what this request sent inline. */
	describe(): string {
		if (this.pieces.length === 0) return 'This request sent no inline data.';
		const list = this.pieces
			.map(({ source, bytes }) => `${source}: ${megabytes(bytes)}`)
			.join(', ');
		return `This request sent ${megabytes(this.total)} of inline data (base64): ${list}. Send large files by URL instead (Options > File URIs).`;
	}
}

/**
 * Returns `contents` with the attachments added to its last user turn (or a new one). With
 * `mediaResolution`, each attached part carries it as its own `mediaResolution: { level }`, a
 * sibling of `inlineData` / `fileData` that wins over the request-wide setting (Gemini 3 only:
 * https://ai.google.dev/gemini-api/docs/generate-content/media-resolution).
 */
export async function withAttachments(
	ctx: IExecuteFunctions,
	itemIndex: number,
	contents: GeminiContent[],
	attached: { propertyNames: string[]; fileData: IDataObject[]; mediaResolution?: string },
	inline: InlineData,
): Promise<GeminiContent[]> {
	const { propertyNames, fileData, mediaResolution } = attached;
	if (propertyNames.length === 0 && fileData.length === 0) return contents;
	const resolution = mediaResolution ? { mediaResolution: { level: mediaResolution } } : {};
	const parts: GeminiPart[] = [];
	for (const name of propertyNames) {
		const binary = ctx.helpers.assertBinaryData(itemIndex, name);
		const data = (await ctx.helpers.getBinaryDataBuffer(itemIndex, name)).toString('base64');
		inline.add('Attachments', `binary property "${name}"`, data.length);
		parts.push({ inlineData: { mimeType: binary.mimeType, data }, ...resolution });
	}
	for (const file of fileData) parts.push({ fileData: file, ...resolution });
	const last = contents[contents.length - 1];
	// A copy: the contents may be values an expression took from another item.
	if (last && last.role !== 'model') {
		return [...contents.slice(0, -1), { ...last, parts: [...(last.parts ?? []), ...parts] }];
	}
	return [...contents, { role: 'user', parts }];
}

/**
 * Contents (JSON) may hold the `content` of an earlier answer, whose images went to binary
 * data: parts like `{ inlineData: { mimeType, binaryProperty: "data" }, thoughtSignature }`.
 * Their bytes come back from the item's binary property of that name, so a multi-turn image
 * edit sends the image, with its signature, back to the model.
 */
export async function withBinaryRefsFilled(
	ctx: IExecuteFunctions,
	itemIndex: number,
	contents: GeminiContent[],
	inline: InlineData,
): Promise<GeminiContent[]> {
	const refers = (part: GeminiPart) =>
		isPlainObject(part.inlineData) &&
		part.inlineData.data === undefined &&
		typeof part.inlineData.binaryProperty === 'string';
	if (!contents.some((turn) => turn.parts?.some(refers))) return contents;
	return await Promise.all(
		contents.map(async (turn, turnIndex) => ({
			...turn,
			parts: await Promise.all(
				(turn.parts ?? []).map(async (part, partIndex) => {
					if (!refers(part)) return part;
					const { binaryProperty, ...rest } = part.inlineData as { binaryProperty: string };
					if (!ctx.getInputData()[itemIndex]?.binary?.[binaryProperty]) {
						throw parameterError(
							ctx.getNode(),
							itemIndex,
							'Contents (JSON)',
							`refers in part ${partIndex + 1} of turn ${turnIndex + 1} to the binary property "${binaryProperty}", which the item does not have`,
							'The item must carry the earlier answer’s binary data: pass it through, e.g. from the node that made the image.',
						);
					}
					const data = (await ctx.helpers.getBinaryDataBuffer(itemIndex, binaryProperty)).toString(
						'base64',
					);
					inline.add('Contents (JSON)', `binary property "${binaryProperty}"`, data.length);
					return { ...part, inlineData: { ...rest, data } };
				}),
			),
		})),
	);
}
