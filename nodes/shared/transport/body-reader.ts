/**
 * A streaming response body read piece by piece through its 'data' events, with backpressure:
 * the body is paused while a piece waits for its reader and resumed once the reader has taken
 * every waiting piece, so at most a read or two is held however slow the reader.
 *
 * Cheaper than a stream's own async iterator, which for each network read waits for a
 * 'readable' event, reads the buffer back out (copying it whole when several pieces wait) and
 * settles a promise or two of its own: n8n 2.x's helper already hands back such an iterator
 * wrapped in a stream, and reading that again the same way doubled the per-read work. Node's
 * `stream` module is not open to community nodes, so the end is told from the body's events
 * as `stream.finished` would: 'end', 'error', or a 'close' before either (a premature close).
 */

/** What of a Node Readable the reader uses: events, pause and resume. */
export interface EventBody {
	on(event: 'data', listener: (piece: Buffer) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	pause(): unknown;
	resume(): unknown;
	/** Node Readables: set once the body failed (before the reader was made, say). */
	readonly errored?: Error | null;
	readonly readableEnded?: boolean;
	readonly destroyed?: boolean;
}

/** Whether `body` is an event-emitting stream the reader can read. */
export function isEventBody(body: unknown): body is EventBody {
	const candidate = body as Partial<Record<'on' | 'pause' | 'resume', unknown>> | null;
	return (
		typeof candidate === 'object' &&
		candidate !== null &&
		typeof candidate.on === 'function' &&
		typeof candidate.pause === 'function' &&
		typeof candidate.resume === 'function'
	);
}

/** The error Node's stream iterator throws for a body closed before its end. */
function prematureClose(): Error {
	return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

type Waiting = {
	resolve: (result: IteratorResult<Buffer>) => void;
	reject: (error: unknown) => void;
};

const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

export class BodyReader implements AsyncIterator<Buffer> {
	private readonly pieces: Buffer[] = [];

	private ended = false;

	/** Set once reading failed: the body's error, a premature close, or {@link stop}'s. */
	private failure: { error: unknown } | undefined;

	private waiting: Waiting | undefined;

	constructor(private readonly body: EventBody) {
		if (body.errored) this.failure = { error: body.errored };
		else if (body.destroyed && !body.readableEnded) this.failure = { error: prematureClose() };
		body.on('error', (error) => this.stop(error));
		body.on('end', () => {
			this.ended = true;
			this.settle();
		});
		body.on('close', () => {
			if (!this.ended) this.stop(prematureClose());
		});
		body.on('data', (piece) => {
			if (this.failure) return;
			const waiting = this.waiting;
			if (waiting) {
				this.waiting = undefined;
				waiting.resolve({ value: piece, done: false });
				return;
			}
			this.pieces.push(piece);
			this.body.pause();
		});
	}

	next(): Promise<IteratorResult<Buffer>> {
		if (this.failure) return Promise.reject(this.failure.error);
		const piece = this.pieces.shift();
		if (piece !== undefined) {
			if (this.pieces.length === 0 && !this.ended) this.body.resume();
			return Promise.resolve({ value: piece, done: false });
		}
		if (this.ended) return Promise.resolve(DONE);
		return new Promise((resolve, reject) => {
			this.waiting = { resolve, reject };
		});
	}

	/**
	 * Ends reading with `error`: the read in progress, if any, rejects at once, and so does every
	 * later one. As with a stream's iterator, pieces not yet read are dropped. The first error
	 * is kept.
	 */
	stop(error: unknown): void {
		if (this.ended || this.failure) return;
		this.failure = { error };
		this.pieces.length = 0;
		this.settle();
	}

	/** Hands the reader waiting, if any, what is known now: the end or the failure. */
	private settle(): void {
		const waiting = this.waiting;
		if (!waiting) return;
		this.waiting = undefined;
		if (this.failure) waiting.reject(this.failure.error);
		else if (this.ended) waiting.resolve(DONE);
	}
}
