/**
 * A streaming response body read through its 'data' events, one read at a time, as a stream's
 * own async iterator reads it: each read takes everything that came since the last one (the
 * pieces of one socket read arrive together), and while the reader is busy the body buffers
 * up to its high-water mark, then is paused until the reader has taken what waits
 * (backpressure).
 *
 * Cheaper than that iterator, which for each read waits for a 'readable' event, reads the
 * buffer back out (copying it into one buffer when several pieces wait) and settles a promise
 * or two of its own: n8n 2.x's helper already hands back such an iterator wrapped in a stream,
 * and reading that again the same way doubled the per-read work. A read here is the list of
 * pieces, not copied. Node's `stream` module is not open to community nodes, so the end is
 * told from the body's events as `stream.finished` would: 'end', 'error', or a 'close' before
 * either (a premature close).
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
	readonly readableHighWaterMark?: number;
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

/** A Node Readable's default high-water mark for bytes (Node 20). */
const DEFAULT_HIGH_WATER_MARK = 16 * 1024;

/** The error Node's stream iterator throws for a body closed before its end. */
function prematureClose(): Error {
	return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

type Waiting = {
	resolve: (result: IteratorResult<Buffer[]>) => void;
	reject: (error: unknown) => void;
};

const DONE: IteratorResult<Buffer[]> = { done: true, value: undefined };

export class BodyReader implements AsyncIterator<Buffer[]> {
	/** What came since the last read. */
	private pieces: Buffer[] = [];

	private bytes = 0;

	private readonly highWaterMark: number;

	private ended = false;

	private paused = false;

	/** Set once reading failed: the body's error, a premature close, or {@link stop}'s. */
	private failure: { error: unknown } | undefined;

	private waiting: Waiting | undefined;

	/** A waiting read is handed what came once the current event is over. */
	private handing = false;

	constructor(private readonly body: EventBody) {
		this.highWaterMark = body.readableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK;
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
			this.pieces.push(piece);
			this.bytes += piece.length;
			if (this.waiting) {
				// The other pieces of the same socket read come before the microtask runs.
				if (!this.handing) {
					this.handing = true;
					queueMicrotask(() => {
						this.handing = false;
						this.settle();
					});
				}
			} else if (this.bytes >= this.highWaterMark && !this.paused) {
				this.paused = true;
				this.body.pause();
			}
		});
	}

	/** The pieces that came since the last read, waiting for one if none did. */
	next(): Promise<IteratorResult<Buffer[]>> {
		if (this.failure) return Promise.reject(this.failure.error);
		if (this.pieces.length > 0) return Promise.resolve({ value: this.take(), done: false });
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
		this.pieces = [];
		this.bytes = 0;
		this.settle();
	}

	/** Everything that waits, the body flowing again. */
	private take(): Buffer[] {
		const pieces = this.pieces;
		this.pieces = [];
		this.bytes = 0;
		if (this.paused) {
			this.paused = false;
			this.body.resume();
		}
		return pieces;
	}

	/** Hands the reader waiting, if any, what is known now: pieces, the failure or the end. */
	private settle(): void {
		const waiting = this.waiting;
		if (!waiting) return;
		if (this.failure) waiting.reject(this.failure.error);
		else if (this.pieces.length > 0) waiting.resolve({ value: this.take(), done: false });
		else if (this.ended) waiting.resolve(DONE);
		else return;
		this.waiting = undefined;
	}
}
