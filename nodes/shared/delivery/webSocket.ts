import { MessageFileError } from '../transport/errors';

/**
 * The WebSocket the socket client needs: the standard (WHATWG) interface that Node.js
 * itself provides as the global `WebSocket` (stable from Node 22; on Node 20 behind
 * `--experimental-websocket`). A library bundled into the node would have to import
 * Node's net/tls/http modules, which n8n's cloud rules forbid community nodes.
 */
export interface ClientSocket {
	readonly readyState: number;
	/** 'arraybuffer' makes binary frames arrive as ArrayBuffer (the standard default is Blob, read only asynchronously). */
	binaryType?: string;
	send(data: string | Uint8Array): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}

export type SocketFactory = (url: string) => ClientSocket;

export const SOCKET_OPEN = 1;

/** How the node explains a missing WebSocket: its mode's name and the mode that works without one. */
export interface WebSocketModeNames {
	/** E.g. 'Stream mode'. */
	mode: string;
	/** E.g. 'set Mode to HTTP Callback'. */
	alternative: string;
}

/** Opens sockets with Node's own WebSocket, or explains at activation how to get one. */
export function nodeWebSocketFactory(names: WebSocketModeNames): SocketFactory {
	if (typeof WebSocket !== 'function') {
		throw new MessageFileError(`${names.mode} needs the WebSocket client built into Node.js 22 and later`, {
			kind: 'input',
			description: `This n8n runs on an older Node.js. Start n8n with NODE_OPTIONS=--experimental-websocket (Node 20), run it on Node 22 or later, or ${names.alternative}.`,
		});
	}
	// Node 20's type declarations know the class even where the runtime lacks it: hence the check above.
	const Socket = WebSocket;
	return (url) => new Socket(url) as unknown as ClientSocket;
}
