/**
 * Text that came from the server, as the node may show it. A server or proxy may echo the
 * request (the token, the Authorization header) in an error body or an event; everything the
 * node shows that came from the server passes through a redactor built from the credential's
 * secrets, and what an error quotes of it is cut short.
 */

/** What replaces a secret. */
const REDACTED = '***';

/**
 * Shorter values are not treated as secrets: replacing every "abc" in an answer would mangle
 * it, and a token that short is no secret anyway.
 */
const MIN_SECRET_LENGTH = 6;

/** How much of a server's text an error message quotes. */
const SNIPPET_CHARS = 200;

export type Redact = (text: string) => string;

/** A function that replaces each of `secrets` in a text with {@link REDACTED}. */
export function redactorOf(secrets: Array<string | undefined>): Redact {
	const values = [...new Set(secrets)].filter(
		(value): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH,
	);
	if (values.length === 0) return (text) => text;
	return (text) => {
		let result = text;
		for (const value of values) {
			if (result.includes(value)) result = result.split(value).join(REDACTED);
		}
		return result;
	};
}

/** The start of a text, on one line, as an error message quotes it. */
export function snippet(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}
