import type { StreamTicket } from '../shared/messengers/dingTalk/stream';
import { streamSocketUrl } from '../shared/messengers/dingTalk/stream';
import type { MessageOutcome, SocketLogger, SocketProtocol, SocketTiming } from '../shared/delivery/socketClient';
import { DEFAULT_SOCKET_TIMING, SocketClient } from '../shared/delivery/socketClient';
import type { SocketFactory } from '../shared/delivery/webSocket';
import { nodeWebSocketFactory as webSocketFactory } from '../shared/delivery/webSocket';
import type { StreamFrame } from './streamFrames';
import { SYSTEM_DISCONNECT, ackData, ackFrame, parseFrame } from './streamFrames';

/** DingTalk Stream mode on the shared socket client: JSON frames, every frame answered, the gateway's `disconnect` obeyed. */

export type CallbackOutcome = MessageOutcome;
export type StreamTiming = SocketTiming;
export type StreamLogger = SocketLogger;
export const DEFAULT_TIMING = DEFAULT_SOCKET_TIMING;

export interface StreamClientOptions {
	/** Asks the gateway for an endpoint and a fresh ticket (one per connection). */
	openTicket: () => Promise<StreamTicket>;
	createSocket: SocketFactory;
	/** Handles one robot message; the client answers the gateway only after it resolved `ack`. */
	onCallback: (frame: StreamFrame) => Promise<CallbackOutcome>;
	onDisconnect?: (reason: string) => void;
	onReconnectError?: (error: unknown) => 'retry' | 'give up';
	logger: StreamLogger;
	timing?: Partial<StreamTiming>;
}

/** Stream mode reads text frames: robot messages are handled, pings echoed, `disconnect` reconnects at once. */
function streamProtocol(ticket: StreamTicket): SocketProtocol<StreamFrame> {
	return {
		url: streamSocketUrl(ticket),
		read: (data) => {
			const frame = parseFrame(typeof data === 'string' ? data : String(data));
			if (!frame) return { action: 'ignore' };
			if (frame.type === 'SYSTEM' && frame.headers.topic === SYSTEM_DISCONNECT) return { action: 'end', reason: SYSTEM_DISCONNECT, atOnce: true };
			if (frame.type !== 'CALLBACK') return { action: 'reply', data: ackFrame(frame, ackData(frame)) };
			return { action: 'handle', message: frame };
		},
		answer: (frame) => ackFrame(frame, ackData(frame)),
	};
}

export class StreamClient extends SocketClient<StreamFrame> {
	constructor(options: StreamClientOptions) {
		super({
			name: 'DingTalk Stream',
			open: async () => streamProtocol(await options.openTicket()),
			createSocket: options.createSocket,
			onMessage: options.onCallback,
			describe: (frame) => frame.headers.messageId,
			onDisconnect: options.onDisconnect,
			onReconnectError: options.onReconnectError,
			logger: options.logger,
			timing: options.timing,
		});
	}
}

/** Node's own WebSocket, or an activation error saying how to get one. */
export function nodeWebSocketFactory(): SocketFactory {
	return webSocketFactory({ mode: 'Stream mode', alternative: 'set Mode to HTTP Callback' });
}
