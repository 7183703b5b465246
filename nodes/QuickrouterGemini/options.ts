/**
 * The Options collection of the main node: its own options (attachments, concurrency, raw
 * chunks, live streaming) and the shared request options. Defaults come from the parameter
 * descriptions, so the editor and the code agree.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isPlainObject } from '../shared/gemini/json';
import { defaultsOf } from '../shared/parameters/descriptions';
import { parseJsonParameter } from '../shared/parameters/json-parameter';
import { checkedChoice, checkedNumber } from '../shared/parameters/checks';
import { optionsOf, readRequestOptions } from '../shared/parameters/readers';
import { parameterError } from '../shared/runtime/errors';
import type { RequestOptions } from '../shared/transport/generate-stream';
import { ownOptions, PART_MEDIA_RESOLUTIONS } from './description';
import type { LiveOptions } from './live';

const OPTION_DEFAULTS = defaultsOf(ownOptions);

export interface ItemOptions extends RequestOptions {
	/** The most inline data (base64) one request may carry. */
	maxInlineBytes: number;
	/** Binary property names to send as inline data. */
	attachments: string[];
	/** `fileData` parts ({ fileUri, mimeType }) to send with the last user turn. */
	fileData: IDataObject[];
	/** The level each attached part carries as its own `mediaResolution`, when set. */
	attachmentMediaResolution?: string;
	includeRawChunks: boolean;
	live: LiveOptions;
}

/** "data, image" or an expression's array -> ['data', 'image']. */
function attachmentNames(value: unknown): string[] {
	const names = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return names.map((name) => name.trim()).filter((name) => name !== '');
}

function fileDataOf(ctx: IExecuteFunctions, itemIndex: number, value: unknown): IDataObject[] {
	if (value === undefined || value === '') return [];
	const files = parseJsonParameter(ctx, itemIndex, 'File URIs (JSON)', value);
	const valid =
		Array.isArray(files) &&
		files.every(
			(file) =>
				isPlainObject(file) &&
				typeof file.fileUri === 'string' &&
				typeof file.mimeType === 'string',
		);
	if (!valid) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'File URIs (JSON)',
			'is not an array of { "fileUri", "mimeType" } objects',
			'Example: [{"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc", "mimeType": "video/mp4"}]',
		);
	}
	return files as IDataObject[];
}

export function readItemOptions(ctx: IExecuteFunctions, itemIndex: number): ItemOptions {
	const options = optionsOf(ctx, itemIndex);
	return {
		maxInlineBytes: Math.round(
			checkedNumber(
				ctx,
				itemIndex,
				options.maxInlineSize ?? OPTION_DEFAULTS.maxInlineSize,
				{ field: 'Max Inline Data (MB)', min: 0.001 },
				'option',
			) *
				1024 *
				1024,
		),
		attachments: attachmentNames(options.attachments),
		fileData: fileDataOf(ctx, itemIndex, options.fileData),
		attachmentMediaResolution:
			options.attachmentMediaResolution === undefined
				? undefined
				: checkedChoice(
						ctx,
						itemIndex,
						options.attachmentMediaResolution,
						'Attachment Media Resolution',
						PART_MEDIA_RESOLUTIONS.map(({ value }) => value),
					),
		includeRawChunks: options.includeRawChunks === true,
		live: {
			streamToResponse: (options.streamToResponse ?? OPTION_DEFAULTS.streamToResponse) === true,
			streamThoughts: (options.streamThoughts ?? OPTION_DEFAULTS.streamThoughts) === true,
		},
		...readRequestOptions(ctx, itemIndex, options),
	};
}

/** How many items are in flight at once: one value for the whole node, read from item 0. */
export function readConcurrency(ctx: IExecuteFunctions): number {
	return checkedNumber(
		ctx,
		0,
		optionsOf(ctx, 0).concurrency ?? OPTION_DEFAULTS.concurrency,
		{ field: 'Concurrency', min: 1, integer: true },
		'option',
	);
}
