import type { StreamTicket } from '../shared/messengers/dingTalk/stream';
import { streamSocketUrl } from '../shared/messengers/dingTalk/stream';
import { backoffDelayMs } from '../shared/delivery/backoff';
import { abortablePause } from '../shared/delivery/pause';
import type { StreamFrame } from './streamFrames';
import { SYSTEM_DISCONNECT, ackData, ackFrame, parseFrame } from './streamFrames';
import type { SocketFactory, StreamSocket } from './streamSocket';
import { SOCKET_OPEN } from './streamSocket';

/** What the client does with a robot message: `ack` once n8n has taken it, `skip` to leave it unanswered (redelivered). */
export type CallbackOutcome = 'ack' | 'skip';

export interface StreamTiming {
	/** Give up on a WebSocket that has not opened after this long. */
	connectTimeoutMs: number;
	/**
	 * No frame at all for this long: the connection is taken for dead and replaced. The standard
	 * WebSocket API cannot send pings, so this relies on the gateway's own SYSTEM ping/keepalive
	 * frames; should an idle gateway send none, the cost is one reconnect per period.
	 */
	silenceMs: number;
	/** How often the silence watch looks at the clock. */
	checkEveryMs: number;
	/** Reconnect backoff: first delay and cap. */
	backoffBaseMs: number;
	backoffMaxMs: number;
	/** Robot messages handled at once; more wait in a queue of at most `maxQueued`, the rest stay unanswered (redelivered). */
	maxConcurrent: number;
	maxQueued: number;
}

export const DEFAULT_TIMING: StreamTiming = {
	connectTimeoutMs: 15_000,
	silenceMs: 90_000,
	checkEveryMs: 1_000,
	backoffBaseMs: 1_000,
	backoffMaxMs: 60_000,
	maxConcurrent: 8,
	maxQueued: 2_000,
};

/** How long stop() waits for the gateway to confirm the close (the trigger's close must return within a second). */
const CLOSE_WAIT_MS = 500;

/** At most one overflow warning per this period, with the count of messages left unanswered since the last. */
const OVERFLOW_WARNING_EVERY_MS = 60_000;

export interface StreamLogger {
	debug(message: string): void;
	warn(message: string): void;
}

export interface StreamClientOptions {
	/** Asks the gateway for an endpoint and a fresh ticket (one per connection). */
	openTicket: () => Promise<StreamTicket>;
	createSocket: SocketFactory;
	/** Handles one robot message; the client answers the gateway only after it resolved `ack`. */
	onCallback: (frame: StreamFrame) => Promise<CallbackOutcome>;
	/** Told about a connection that ended, for logs and tests. */
	onDisconnect?: (reason: string) => void;
	/**
	 * Told about each failed reconnect; answering `give up` ends the client (e.g. the secret was
	 * changed: retrying cannot help, n8n should show the error instead).
	 */
	onReconnectError?: (error: unknown) => 'retry' | 'give up';
	logger: StreamLogger;
	timing?: Partial<StreamTiming>;
}

/** One WebSocket connection's life: ended by close, error, a `disconnect` frame, silence or stop(). */
class Session {
	lastFrameAt = Date.now();

	readonly ended: Promise<string>;

	/** Resolves when the socket reported its close. */
	readonly closed: Promise<void>;

	private endWith!: (reason: string) => void;

	markClosed!: () => void;

	private done = false;

	constructor(readonly socket: StreamSocket) {
		this.ended = new Promise((resolve) => (this.endWith = resolve));
		this.closed = new Promise((resolve) => (this.markClosed = resolve));
	}

	get live(): boolean {
		return !this.done;
	}

	/** Ends the session and lets go of its socket; nothing it receives afterwards is handled. */
	end(reason: string): void {
		if (this.done) return;
		this.done = true;
		try {
			const socket = this.socket as StreamSocket & { terminate?: () => void };
			if (typeof socket.terminate === 'function') socket.terminate();
			else socket.close(1000, reason.slice(0, 100));
		} catch {
			// Already closed.
		}
		this.endWith(reason);
	}
}

/**
 * DingTalk Stream mode: open a ticket, connect, answer every frame, reconnect with a
 * fresh ticket (exponential backoff with jitter) whenever the connection ends. At most
 * one live socket at any time; stop() ends it and every wait.
 */
export class StreamClient {
	private readonly timing: StreamTiming;

	private readonly stopping = new AbortController();

	private session?: Session;

	private loop?: Promise<void>;

	private readonly queue: Array<{ frame: StreamFrame; session: Session }> = [];

	private running = 0;

	/** Connections opened so far (the first included). */
	connections = 0;

	/** Robot messages left unanswered because the queue was full, since the last warning. */
	private overflowed = 0;

	private lastOverflowWarningAt = -Infinity;

	constructor(private readonly options: StreamClientOptions) {
		this.timing = { ...DEFAULT_TIMING, ...options.timing };
	}

	get stopped(): boolean {
		return this.stopping.signal.aborted;
	}

	/** Connects once (throwing the gateway's reason, e.g. a wrong secret), then keeps the connection up in the background. */
	async start(): Promise<void> {
		const first = await this.connect();
		this.loop = this.keepConnected(first);
	}

	/** Closes the socket and ends every wait; messages still being handled are not answered (they are redelivered). */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopping.abort();
		const session = this.session;
		session?.end('stopped');
		this.queue.length = 0;
		await this.loop;
		// Wait (briefly) for the closing handshake, so the socket is gone when deactivation returns.
		if (session) await this.closedOrTimeout(session);
	}

	private async closedOrTimeout(session: Session): Promise<void> {
		const giveUp = new AbortController();
		await Promise.race([session.closed, abortablePause(CLOSE_WAIT_MS, giveUp.signal)]);
		giveUp.abort();
	}

	private async keepConnected(first: Session): Promise<void> {
		let session: Session | undefined = first;
		let failures = 0;
		while (!this.stopped) {
			if (session) {
				const reason = await this.runSession(session);
				this.options.onDisconnect?.(reason);
				if (this.stopped) return;
				// The old socket is closing: let it finish (briefly) so the gateway never sees two at once.
				await this.closedOrTimeout(session);
				this.options.logger.debug(`DingTalk Stream connection ended (${reason}); reconnecting`);
				// The gateway asked for it: reconnect at once. Otherwise wait, as after a failure.
				failures = reason === SYSTEM_DISCONNECT ? 0 : Math.max(failures, 1);
				session = undefined;
			}
			if (failures > 0 && !(await this.backOff(failures - 1))) return;
			try {
				session = await this.connect();
				failures = 0;
			} catch (error) {
				failures++;
				this.options.logger.warn(`DingTalk Stream reconnect failed: ${(error as Error).message}`);
				if (!this.stopped && this.options.onReconnectError?.(error) === 'give up') {
					this.stopping.abort();
					return;
				}
			}
		}
		session?.end('stopped');
	}

	/** Waits out the backoff; false when stop() came first. */
	private async backOff(attempt: number): Promise<boolean> {
		const delay = backoffDelayMs(attempt + 1, { baseMs: this.timing.backoffBaseMs, maxMs: this.timing.backoffMaxMs });
		return await abortablePause(delay, this.stopping.signal);
	}

	/** A fresh ticket, then a socket that has opened; listeners are attached before it opens so no frame is missed. */
	private async connect(): Promise<Session> {
		const ticket = await this.options.openTicket();
		if (this.stopped) throw new Error('stopped');
		const socket = this.options.createSocket(streamSocketUrl(ticket));
		const session = new Session(socket);
		let opened = false;
		socket.addEventListener('open', () => {
			opened = true;
			session.lastFrameAt = Date.now();
		});
		socket.addEventListener('message', (event) => this.receive(session, event.data));
		socket.addEventListener('close', (event) => {
			session.markClosed();
			session.end(`closed (${event.code ?? 'no code'})`);
		});
		socket.addEventListener('error', () => session.end('socket error'));
		this.session?.end('replaced');
		this.session = session;
		this.connections++;
		const deadline = Date.now() + this.timing.connectTimeoutMs;
		while (!opened && session.live) {
			if (Date.now() >= deadline) session.end('connect timeout');
			else await this.wait(Math.min(50, deadline - Date.now()));
			if (this.stopped) session.end('stopped');
		}
		if (!opened) {
			const reason = await session.ended;
			throw new Error(`the WebSocket to the DingTalk gateway did not open (${reason})`);
		}
		return session;
	}

	/** Until the session ends: watches for silence. */
	private async runSession(session: Session): Promise<string> {
		while (session.live && !this.stopped) {
			if (Date.now() - session.lastFrameAt > this.timing.silenceMs) {
				session.end('silent');
				break;
			}
			await Promise.race([this.wait(this.timing.checkEveryMs), session.ended]);
		}
		if (this.stopped) session.end('stopped');
		return await session.ended;
	}

	private async wait(ms: number): Promise<void> {
		await abortablePause(ms, this.stopping.signal);
	}

	private receive(session: Session, data: unknown): void {
		if (!session.live || session !== this.session) return;
		session.lastFrameAt = Date.now();
		const frame = parseFrame(typeof data === 'string' ? data : String(data));
		if (!frame) return;
		if (frame.type === 'SYSTEM' && frame.headers.topic === SYSTEM_DISCONNECT) {
			session.end(SYSTEM_DISCONNECT);
			return;
		}
		if (frame.type !== 'CALLBACK') {
			this.answer(session, frame);
			return;
		}
		if (this.queue.length >= this.timing.maxQueued) {
			// Unanswered: the gateway delivers it again. Said in the log, at most once a minute.
			this.overflowed++;
			const now = Date.now();
			if (now - this.lastOverflowWarningAt >= OVERFLOW_WARNING_EVERY_MS) {
				this.options.logger.warn(
					`DingTalk Stream: ${this.overflowed} message(s) left unanswered because ${this.timing.maxQueued} are already waiting (${this.timing.maxConcurrent} handled at once); DingTalk delivers them again in about a minute. If this repeats, the workflow cannot keep up with the robot's messages.`,
				);
				this.lastOverflowWarningAt = now;
				this.overflowed = 0;
			}
			return;
		}
		this.queue.push({ frame, session });
		this.drain();
	}

	private drain(): void {
		while (this.running < this.timing.maxConcurrent && this.queue.length > 0 && !this.stopped) {
			const next = this.queue.shift() as { frame: StreamFrame; session: Session };
			this.running++;
			void this.handle(next.frame, next.session).finally(() => {
				this.running--;
				this.drain();
			});
		}
	}

	private async handle(frame: StreamFrame, session: Session): Promise<void> {
		let outcome: CallbackOutcome;
		try {
			outcome = await this.options.onCallback(frame);
		} catch (error) {
			const text = `DingTalk Stream message ${frame.headers.messageId} not handled: ${(error as Error).message}`;
			// Stopping abandons what is in flight on purpose: the gateway redelivers it to the next activation.
			if (this.stopped) this.options.logger.debug(text);
			else this.options.logger.warn(text);
			return;
		}
		// The connection it came on may be gone: the gateway then redelivers it on the next one.
		if (outcome === 'ack' && session.live && session === this.session) this.answer(session, frame);
	}

	private answer(session: Session, frame: StreamFrame): void {
		if (session.socket.readyState !== SOCKET_OPEN) return;
		try {
			session.socket.send(ackFrame(frame, ackData(frame)));
		} catch (error) {
			session.end(`send failed: ${(error as Error).message}`);
		}
	}
}
