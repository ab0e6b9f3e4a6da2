import { backoffDelayMs } from './backoff';
import { abortablePause } from './pause';
import type { ClientSocket, SocketFactory } from './webSocket';
import { SOCKET_OPEN } from './webSocket';

/**
 * A messenger's WebSocket push connection, whatever its frames: open (endpoint request),
 * connect, answer, keep alive, reconnect. The messenger supplies a `SocketProtocol` per
 * connection; this client owns the socket, the timers and the queue of messages.
 */

/** What the client does with a message: `ack` once n8n has taken it, `skip` to leave it unanswered (redelivered). */
export type MessageOutcome = 'ack' | 'skip';

/** What one received frame asks for. */
export type FrameAction<M> =
	/** A message for the workflow: queued for `onMessage`, answered with `protocol.answer(message)`. */
	| { action: 'handle'; message: M }
	/** Answered at once with this data (a ping's echo). */
	| { action: 'reply'; data: string | Uint8Array }
	/** The gateway asks for a new connection; `atOnce` skips the reconnect wait. */
	| { action: 'end'; reason: string; atOnce?: boolean }
	/** Nothing to do (control frames, a fragment of a message still incomplete, an unreadable frame the protocol logged). */
	| { action: 'ignore' };

/** One connection's frames, as its messenger speaks them; made by `open()` for each connection. */
export interface SocketProtocol<M> {
	/** ws(s):// URL to connect to. Never logged (it may hold a ticket). */
	url: string;
	/** Binary frames wanted as ArrayBuffer (protobuf gateways); text gateways leave it unset. */
	binaryType?: 'arraybuffer';
	read(data: unknown): FrameAction<M>;
	/** The acknowledgement of a handled message. */
	answer(message: M): string | Uint8Array;
	/** Sent on open and then every `pingEveryMs()`, for gateways that expect the client to ping. */
	ping?(): string | Uint8Array;
	pingEveryMs?(): number;
	/** No frame for longer than this: the connection is dead and replaced (overrides timing.silenceMs). */
	silenceMs?(): number;
}

export interface SocketTiming {
	/** Give up on a WebSocket that has not opened after this long. */
	connectTimeoutMs: number;
	/**
	 * No frame at all for this long: the connection is taken for dead and replaced. Without
	 * client pings this relies on the gateway's own keep-alive frames; should an idle gateway
	 * send none, the cost is one reconnect per period.
	 */
	silenceMs: number;
	/** How often the silence watch looks at the clock. */
	checkEveryMs: number;
	/** Reconnect backoff (default policy): first delay and cap. */
	backoffBaseMs: number;
	backoffMaxMs: number;
	/** Messages handled at once; more wait in a queue of at most `maxQueued`, the rest stay unanswered (redelivered). */
	maxConcurrent: number;
	maxQueued: number;
}

export const DEFAULT_SOCKET_TIMING: SocketTiming = {
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

export interface SocketLogger {
	debug(message: string): void;
	warn(message: string): void;
}

/**
 * The wait before the next connection attempt: `failedAttempts` since the last connection
 * ended (0 right after it ended), `atOnce` when the gateway itself asked for the reconnect.
 * `undefined` ends the client (attempts used up).
 */
export type ReconnectPolicy = (failedAttempts: number, atOnce: boolean) => number | undefined;

export interface SocketClientOptions<M> {
	/** Shown in log lines, e.g. 'DingTalk Stream'. */
	name: string;
	/** Asks the gateway for an endpoint (one per connection) and returns how to speak on it. */
	open: () => Promise<SocketProtocol<M>>;
	createSocket: SocketFactory;
	/** Handles one message. */
	onMessage: (message: M) => Promise<MessageOutcome>;
	/**
	 * `afterHandling`: answered once onMessage resolved `ack` (the gateway redelivers what n8n did
	 * not take). `onReceipt`: answered before onMessage runs (gateways that want an answer within
	 * seconds); such messages queue without the `maxQueued` bound, since the gateway will not send
	 * them again, and onMessage's outcome is only logged.
	 */
	answerWhen?: 'afterHandling' | 'onReceipt';
	/** Describes a message in log lines (an id, never its content). */
	describe?: (message: M) => string;
	/** Told about a connection that ended, for logs and tests. */
	onDisconnect?: (reason: string) => void;
	/**
	 * Told about each failed reconnect; answering `give up` ends the client (e.g. the secret was
	 * changed: retrying cannot help, n8n should show the error instead).
	 */
	onReconnectError?: (error: unknown) => 'retry' | 'give up';
	/** Told when the reconnect policy ran out of attempts. */
	onGiveUp?: (lastError: unknown) => void;
	reconnectPolicy?: ReconnectPolicy;
	logger: SocketLogger;
	timing?: Partial<SocketTiming>;
}

/** One WebSocket connection's life: ended by close, error, the gateway's request, silence or stop(). */
class Session<M> {
	lastFrameAt = Date.now();

	lastPingAt = 0;

	/** The gateway asked for this reconnect: no wait before the next connection. */
	atOnce = false;

	readonly ended: Promise<string>;

	/** Resolves when the socket reported its close. */
	readonly closed: Promise<void>;

	private endWith!: (reason: string) => void;

	markClosed!: () => void;

	private done = false;

	constructor(
		readonly socket: ClientSocket,
		readonly protocol: SocketProtocol<M>,
	) {
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
			const socket = this.socket as ClientSocket & { terminate?: () => void };
			if (typeof socket.terminate === 'function') socket.terminate();
			else socket.close(1000, reason.slice(0, 100));
		} catch {
			// Already closed.
		}
		this.endWith(reason);
	}
}

/**
 * Keeps one push connection up: open, connect, answer every frame, reconnect (per the
 * reconnect policy) whenever the connection ends. At most one live socket at any time;
 * stop() ends it and every wait.
 */
export class SocketClient<M> {
	private readonly timing: SocketTiming;

	private readonly stopping = new AbortController();

	private session?: Session<M>;

	private loop?: Promise<void>;

	private readonly queue: Array<{ message: M; session: Session<M> }> = [];

	private running = 0;

	/** Connections opened so far (the first included). */
	connections = 0;

	/** Messages left unanswered because the queue was full, since the last warning. */
	private overflowed = 0;

	private lastOverflowWarningAt = -Infinity;

	constructor(private readonly options: SocketClientOptions<M>) {
		this.timing = { ...DEFAULT_SOCKET_TIMING, ...options.timing };
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

	private async closedOrTimeout(session: Session<M>): Promise<void> {
		const giveUp = new AbortController();
		await Promise.race([session.closed, abortablePause(CLOSE_WAIT_MS, giveUp.signal)]);
		giveUp.abort();
	}

	/** Exponential backoff with jitter; none when the gateway asked for the reconnect. */
	private defaultDelay(failedAttempts: number, atOnce: boolean): number {
		if (failedAttempts === 0 && atOnce) return 0;
		return backoffDelayMs(failedAttempts + 1, { baseMs: this.timing.backoffBaseMs, maxMs: this.timing.backoffMaxMs });
	}

	private async keepConnected(first: Session<M>): Promise<void> {
		const policy = this.options.reconnectPolicy ?? ((failed: number, atOnce: boolean) => this.defaultDelay(failed, atOnce));
		let session: Session<M> | undefined = first;
		let failures = 0;
		let atOnce = false;
		let lastError: unknown;
		while (!this.stopped) {
			if (session) {
				const reason = await this.runSession(session);
				this.options.onDisconnect?.(reason);
				if (this.stopped) return;
				// The old socket is closing: let it finish (briefly) so the gateway never sees two at once.
				await this.closedOrTimeout(session);
				this.options.logger.debug(`${this.options.name} connection ended (${reason}); reconnecting`);
				atOnce = session.atOnce;
				failures = 0;
				session = undefined;
			}
			const delay = policy(failures, atOnce);
			if (delay === undefined) {
				this.options.logger.warn(`${this.options.name}: gave up reconnecting after ${failures} failed attempt(s)`);
				this.stopping.abort();
				this.options.onGiveUp?.(lastError);
				return;
			}
			if (delay > 0 && !(await abortablePause(delay, this.stopping.signal))) return;
			try {
				session = await this.connect();
			} catch (error) {
				failures++;
				lastError = error;
				this.options.logger.warn(`${this.options.name} reconnect failed: ${(error as Error).message}`);
				if (!this.stopped && this.options.onReconnectError?.(error) === 'give up') {
					this.stopping.abort();
					return;
				}
			}
		}
		session?.end('stopped');
	}

	/** A fresh endpoint, then a socket that has opened; listeners are attached before it opens so no frame is missed. */
	private async connect(): Promise<Session<M>> {
		const protocol = await this.options.open();
		if (this.stopped) throw new Error('stopped');
		const socket = this.options.createSocket(protocol.url);
		if (protocol.binaryType) socket.binaryType = protocol.binaryType;
		const session = new Session(socket, protocol);
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
			throw new Error(`the WebSocket to the ${this.options.name} gateway did not open (${reason})`);
		}
		this.pingIfDue(session);
		return session;
	}

	/** Until the session ends: pings when due, watches for silence. */
	private async runSession(session: Session<M>): Promise<string> {
		const { protocol } = session;
		while (session.live && !this.stopped) {
			const silenceMs = protocol.silenceMs?.() ?? this.timing.silenceMs;
			if (Date.now() - session.lastFrameAt > silenceMs) {
				session.end('silent');
				break;
			}
			this.pingIfDue(session);
			let waitMs = this.timing.checkEveryMs;
			if (protocol.ping && protocol.pingEveryMs) waitMs = Math.min(waitMs, Math.max(1, session.lastPingAt + protocol.pingEveryMs() - Date.now()));
			await Promise.race([this.wait(waitMs), session.ended]);
		}
		if (this.stopped) session.end('stopped');
		return await session.ended;
	}

	private pingIfDue(session: Session<M>): void {
		const { protocol } = session;
		if (!protocol.ping || !protocol.pingEveryMs || !session.live) return;
		const now = Date.now();
		if (now - session.lastPingAt < protocol.pingEveryMs()) return;
		session.lastPingAt = now;
		this.send(session, protocol.ping());
	}

	private async wait(ms: number): Promise<void> {
		await abortablePause(ms, this.stopping.signal);
	}

	private receive(session: Session<M>, data: unknown): void {
		if (!session.live || session !== this.session) return;
		session.lastFrameAt = Date.now();
		const frame = session.protocol.read(data);
		switch (frame.action) {
			case 'ignore':
				return;
			case 'reply':
				this.send(session, frame.data);
				return;
			case 'end':
				session.atOnce = frame.atOnce === true;
				session.end(frame.reason);
				return;
			case 'handle':
				if (this.options.answerWhen === 'onReceipt') {
					this.send(session, session.protocol.answer(frame.message));
					// Answered, so never dropped: it waits its turn however long the queue is (`maxConcurrent` still bounds the work).
					this.queue.push({ message: frame.message, session });
					this.drain();
					return;
				}
				this.enqueue(frame.message, session);
		}
	}

	private enqueue(message: M, session: Session<M>): void {
		if (this.queue.length >= this.timing.maxQueued) {
			// Unanswered: the gateway delivers it again. Said in the log, at most once a minute.
			this.overflowed++;
			const now = Date.now();
			if (now - this.lastOverflowWarningAt >= OVERFLOW_WARNING_EVERY_MS) {
				this.options.logger.warn(
					`${this.options.name}: ${this.overflowed} message(s) left unanswered because ${this.timing.maxQueued} are already waiting (${this.timing.maxConcurrent} handled at once); the gateway delivers them again later. If this repeats, the workflow cannot keep up with the messages.`,
				);
				this.lastOverflowWarningAt = now;
				this.overflowed = 0;
			}
			return;
		}
		this.queue.push({ message, session });
		this.drain();
	}

	private drain(): void {
		while (this.running < this.timing.maxConcurrent && this.queue.length > 0 && !this.stopped) {
			const next = this.queue.shift() as { message: M; session: Session<M> };
			this.running++;
			void this.handle(next.message, next.session).finally(() => {
				this.running--;
				this.drain();
			});
		}
	}

	private async handle(message: M, session: Session<M>): Promise<void> {
		let outcome: MessageOutcome;
		try {
			outcome = await this.options.onMessage(message);
		} catch (error) {
			const text = `${this.options.name} message ${this.options.describe?.(message) ?? ''} not handled: ${(error as Error).message}`;
			// Stopping abandons what is in flight on purpose: the gateway redelivers it to the next activation.
			if (this.stopped) this.options.logger.debug(text);
			else this.options.logger.warn(text);
			return;
		}
		if (this.options.answerWhen === 'onReceipt') return;
		// The connection it came on may be gone: the gateway then redelivers it on the next one.
		if (outcome === 'ack' && session.live && session === this.session) this.send(session, session.protocol.answer(message));
	}

	private send(session: Session<M>, data: string | Uint8Array): void {
		if (session.socket.readyState !== SOCKET_OPEN) return;
		try {
			session.socket.send(data);
		} catch (error) {
			session.end(`send failed: ${(error as Error).message}`);
		}
	}
}
