import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import type { SocketLogger, SocketTiming } from '../shared/delivery/socketClient';
import { SocketClient } from '../shared/delivery/socketClient';
import type { SocketFactory } from '../shared/delivery/webSocket';
import { nodeWebSocketFactory } from '../shared/delivery/webSocket';
import type { ClientConfig, LongConnectionEvent } from '../shared/messengers/feishu/longConnection';
import { DEFAULT_CLIENT_CONFIG, LongConnectionProtocol, isLastingRefusal, reconnectDelayMs, requestEndpoint } from '../shared/messengers/feishu/longConnection';
import { MessageFileError } from '../shared/transport/errors';

export interface FeishuLongConnectionOptions {
	/** n8n's `helpers.httpRequest` (of the activation, so closing it ends the endpoint request). */
	httpRequest: (options: IHttpRequestOptions) => Promise<unknown>;
	/** The `feishuApi` credential: appId, appSecret, baseUrl. */
	credentials: ICredentialDataDecryptedObject;
	/**
	 * One event (`{schema, header, event}`), called right after its acknowledgement went out.
	 * Feishu wants the acknowledgement within 3 s, so it is sent first; what this does afterwards
	 * (downloads, the workflow) takes as long as it takes. A throw is logged, nothing more.
	 */
	onEvent: (envelope: IDataObject, messageId: string) => void | Promise<void>;
	/**
	 * The connection stopped for good while reconnecting: Feishu refused in a way retrying cannot
	 * change (wrong secret, long connection not allowed, 50 connections), or the reconnect
	 * attempts the server allows ran out. The trigger reports it (n8n then re-activates with backoff).
	 */
	onFatal?: (error: Error) => void;
	/** Told about a connection that ended, for logs and tests. */
	onDisconnect?: (reason: string) => void;
	logger: SocketLogger;
	/** Node's own WebSocket unless given (tests may pass `ws`). */
	createSocket?: SocketFactory;
	timing?: Partial<SocketTiming>;
	/** For tests: the random part of ReconnectNonce. */
	random?: () => number;
}

/**
 * Feishu's long connection for the trigger: endpoint request, protobuf frames, pings at the
 * server's interval, fragments reassembled, every event acknowledged on receipt, reconnects
 * as the server's ClientConfig says, a silent connection replaced.
 *
 *     const connection = new FeishuLongConnection({ httpRequest, credentials, onEvent, onFatal, logger });
 *     await connection.start(); // throws the first refusal (MessageFileError), e.g. a wrong App Secret
 *     await connection.stop();
 */
export class FeishuLongConnection {
	private readonly settings: { config: ClientConfig } = { config: { ...DEFAULT_CLIENT_CONFIG } };

	private readonly client: SocketClient<LongConnectionEvent>;

	constructor(options: FeishuLongConnectionOptions) {
		const { httpRequest, credentials, logger } = options;
		this.client = new SocketClient<LongConnectionEvent>({
			name: 'Feishu long connection',
			open: async () => {
				const endpoint = await requestEndpoint(httpRequest, credentials, this.settings.config);
				this.settings.config = endpoint.config;
				logger.debug(`Feishu long connection: endpoint for device ${endpoint.deviceId || '(none)'} received`);
				return new LongConnectionProtocol(endpoint, this.settings, logger);
			},
			createSocket: options.createSocket ?? nodeWebSocketFactory({ mode: 'Long connection mode', alternative: 'set Mode to Webhook' }),
			answerWhen: 'onReceipt',
			onMessage: async (event) => {
				await options.onEvent(event.envelope, event.messageId);
				return 'ack';
			},
			describe: (event) => event.messageId,
			onDisconnect: options.onDisconnect,
			onReconnectError: (error) => {
				if (!isLastingRefusal(error)) return 'retry';
				options.onFatal?.(error as Error);
				return 'give up';
			},
			onGiveUp: (lastError) => {
				const reason = lastError instanceof Error ? ` (last: ${lastError.message})` : '';
				options.onFatal?.(
					new MessageFileError(`Feishu long connection: reconnecting gave up after the ${this.settings.config.reconnectCount} attempt(s) Feishu's config allows${reason}`, {
						kind: 'api',
						description: 'Check that n8n can reach Feishu; the workflow is re-activated by n8n.',
					}),
				);
			},
			reconnectPolicy: (failedAttempts) => reconnectDelayMs(this.settings.config, failedAttempts, options.random),
			logger,
			timing: options.timing,
		});
	}

	/** The server's current ClientConfig (ms). */
	get config(): ClientConfig {
		return { ...this.settings.config };
	}

	/** Connections opened so far (the first included). */
	get connections(): number {
		return this.client.connections;
	}

	get stopped(): boolean {
		return this.client.stopped;
	}

	/** Requests the endpoint and connects (throwing Feishu's refusal in plain words), then stays connected in the background. */
	async start(): Promise<void> {
		await this.client.start();
	}

	/** Closes the socket and ends every wait; events not yet handed on are redelivered by Feishu. */
	async stop(): Promise<void> {
		await this.client.stop();
	}
}
