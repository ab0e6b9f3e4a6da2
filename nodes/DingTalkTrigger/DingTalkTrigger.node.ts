import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { ExecutionWaiter } from '../shared/delivery/executionOutcome';
import { ActivationLifetime } from '../shared/delivery/activation';
import { RecentDeliveries, RecentDeliveriesRegistry, hashKey } from '../shared/delivery/recentDeliveries';
import { openStreamConnection } from '../shared/messengers/dingTalk/stream';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { MAX_CLOCK_SKEW_MS, checkCallbackFreshness, checkCallbackSignature } from './callbackSignature';
import { properties, webhooks } from './description';
import type { MessageFilterOptions } from './messageFilter';
import { acceptsMessage } from './messageFilter';
import type { MessageItemOptions } from './messageItems';
import { messageItems } from './messageItems';
import type { CallbackOutcome } from './streamClient';
import { StreamClient } from './streamClient';
import type { StreamFrame } from './streamFrames';
import { nodeWebSocketFactory } from './streamClient';

type TriggerOptions = FileOptionValues & MessageItemOptions & MessageFilterOptions & { acknowledge?: 'emitted' | 'executionFinished' };

/** DingTalk redelivers an unanswered message after about a minute, a few times: remember ids for 30 minutes, at most 10,000. */
const DUPLICATE_WINDOW_MS = 30 * 60 * 1000;
const DUPLICATE_MAX_IDS = 10_000;
const GATEWAY_TIMEOUT_MS = 30_000;

/**
 * HTTP callbacks arrive in fresh webhook contexts: their memory lives here, per trigger node.
 * A signature is accepted for 1 hour either side of now (DingTalk's rule), so msgIds are
 * remembered for that whole span and then some: a replay within it never runs twice.
 */
const CALLBACK_WINDOW_MS = 2 * MAX_CLOCK_SKEW_MS + 5 * 60 * 1000;
const callbackMessages = new RecentDeliveriesRegistry({ windowMs: CALLBACK_WINDOW_MS, maxEntries: DUPLICATE_MAX_IDS });
/** Which msgId each timestamp/sign pair came with first: a pair replayed with another message is refused. */
const callbackSignatures = new RecentDeliveriesRegistry({ windowMs: CALLBACK_WINDOW_MS, maxEntries: DUPLICATE_MAX_IDS });

/** Credential values that must never appear in an output item, an error or a log line. */
function redactor(credentials: ICredentialDataDecryptedObject): (text: string) => string {
	const secrets = ['appSecret', 'suiteSecret', 'suiteTicket', 'accessToken']
		.map((name) => credentials[name])
		.filter((value): value is string => typeof value === 'string' && value.trim().length >= 4)
		.map((value) => value.trim());
	return (text) => secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

function callbackSecret(credentials: ICredentialDataDecryptedObject): string {
	const value = credentials.appType === 'thirdParty' ? credentials.suiteSecret : credentials.appSecret;
	return typeof value === 'string' ? value.trim() : '';
}

/** An activation failure as n8n shows it: DingTalk's reason and what to do, never a secret. */
function activationError(node: INode, error: unknown, redact: (text: string) => string): NodeApiError | NodeOperationError {
	if (isMessageFileError(error)) {
		const message = redact(error.message);
		const description = error.details.description ? redact(error.details.description) : undefined;
		if (error.details.kind === 'input') return new NodeOperationError(node, message, { description });
		const { httpCode, apiCode, requestId } = error.details;
		const response: JsonObject = { message, description: description ?? null, httpCode: httpCode ?? null, apiCode: apiCode ?? null, requestId: requestId ?? null };
		return new NodeApiError(node, response, { message, description, httpCode: httpCode !== undefined ? String(httpCode) : undefined });
	}
	return new NodeOperationError(node, redact(error instanceof Error ? error.message : String(error)));
}

/** DingTalk said no for a reason that retrying will not change (wrong or revoked key/secret, a missing field). */
function isLastingRefusal(error: unknown): boolean {
	if (!isMessageFileError(error) || error.retryable) return false;
	if (error.details.kind === 'input') return true;
	const status = error.details.httpCode ?? 0;
	return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function parseMessage(data: string): IDataObject | undefined {
	try {
		const value: unknown = JSON.parse(data);
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
	} catch {
		return undefined;
	}
}

export class DingTalkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Trigger',
		name: 'dingTalkTrigger',
		icon: { light: 'file:dingTalk.svg', dark: 'file:dingTalk.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "httpCallback" ? "HTTP callback" : "Stream mode" }}',
		description: "Starts the workflow when a DingTalk robot receives a message, with the message's files attached",
		defaults: { name: 'DingTalk Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true }],
		webhooks,
		properties,
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		// HTTP callback mode works through webhook(); nothing to keep open.
		if (this.getNodeParameter('mode', 'stream') !== 'stream') return {};

		const credentials = await this.getCredentials('dingTalkApi');
		const redact = redactor(credentials);
		const downloadFiles = this.getNodeParameter('downloadFiles', true) as boolean;
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const manual = this.getMode() === 'manual';
		const recent = new RecentDeliveries<CallbackOutcome>({ windowMs: DUPLICATE_WINDOW_MS, maxEntries: DUPLICATE_MAX_IDS });
		const lifetime = new ActivationLifetime();
		// Every request of this activation (ticket, token, file) ends when it closes.
		const context = lifetime.bind(this);
		let testEventTaken = false;
		// A manual (editor) run ends at the first emit: nothing to wait for there.
		const waiter = options.acknowledge === 'executionFinished' && !manual ? new ExecutionWaiter(this) : undefined;

		const takeMessage = async (id: string, message: IDataObject): Promise<CallbackOutcome> => {
			if (!acceptsMessage(message, options)) return 'ack';
			if (manual && testEventTaken) return 'skip';
			const items = await messageItems(context, message, downloadFiles, options, redact, lifetime);
			// "Listen for test event" takes one message; the others stay unanswered for the active workflow.
			if (manual && testEventTaken) return 'skip';
			// Closed meanwhile: nothing is emitted after close. A throw leaves the message unanswered (and
			// forgotten by this activation's de-duplication): DingTalk delivers it to the next activation.
			lifetime.assertOpen();
			testEventTaken = true;
			if (!waiter) {
				this.emit([items]);
				return 'ack';
			}
			const result = await waiter.emit([items], id, `DingTalk message ${id}`);
			// A throw leaves it unanswered and forgotten by the de-duplication: DingTalk's redelivery starts it again.
			if (result.action === 'deliverAgain') throw result.error;
			return result.action === 'acknowledge' ? 'ack' : 'skip';
		};

		const onCallback = async (frame: StreamFrame): Promise<CallbackOutcome> => {
			if (manual && testEventTaken) return 'skip';
			const message = parseMessage(frame.data);
			if (!message) return 'ack'; // not a robot message: answering it ends its redeliveries
			const id = typeof message.msgId === 'string' && message.msgId ? message.msgId : frame.headers.messageId;
			const { outcome, repeat } = await recent.once(id, async () => await takeMessage(id, message));
			if (repeat) this.logger.debug(`DingTalk message ${id} delivered again; not started twice`);
			return outcome;
		};

		let client: StreamClient;
		try {
			client = new StreamClient({
				openTicket: async () => await openStreamConnection(context.helpers.httpRequest, credentials, GATEWAY_TIMEOUT_MS),
				createSocket: nodeWebSocketFactory(),
				onCallback,
				onReconnectError: (error) => {
					if (!isLastingRefusal(error)) return 'retry';
					// Like n8n's own triggers: report it; n8n deactivates the workflow and retries activation with backoff.
					if (!manual) this.emitError(activationError(this.getNode(), error, redact));
					return 'give up';
				},
				logger: {
					debug: (text) => this.logger.debug(redact(text)),
					warn: (text) => this.logger.warn(redact(text)),
				},
			});
		} catch (error) {
			throw activationError(this.getNode(), error, redact);
		}
		const start = async () => {
			try {
				await client.start();
			} catch (error) {
				await client.stop();
				throw activationError(this.getNode(), error, redact);
			}
		};
		// Returns within a second whatever a file host or the gateway does: what is in flight is abandoned.
		const closeFunction = async () => {
			lifetime.close();
			waiter?.close();
			await ActivationLifetime.settleWithin(client.stop());
		};

		if (manual) return { closeFunction, manualTriggerFunction: start };
		await start();
		return { closeFunction };
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('dingTalkApi');
		const redact = redactor(credentials);
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const check = checkCallbackSignature(request.headers, callbackSecret(credentials));
		if (!check.valid) {
			// No execution for a request DingTalk did not sign.
			response.status(check.status).json({ error: `DingTalk signature check failed: ${check.reason}` });
			return { noWebhookResponse: true };
		}
		const message = this.getBodyData();
		// The sign covers the timestamp only: the body must fit it, and one signature serves one message.
		const fresh = checkCallbackFreshness(request.headers.timestamp, message);
		if (!fresh.fresh) {
			response.status(fresh.status).json({ error: `DingTalk callback refused: ${fresh.reason}` });
			return { noWebhookResponse: true };
		}
		const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
		const pair = JSON.stringify([request.headers.timestamp, request.headers.sign]);
		const messageHash = hashKey(fresh.msgId);
		const { outcome: pairedWith } = await callbackSignatures.for(scope).once(pair, async () => messageHash);
		if (pairedWith !== messageHash) {
			response.status(403).json({ error: 'DingTalk callback refused: this timestamp/sign pair already came with another message (a replay)' });
			return { noWebhookResponse: true };
		}
		const repeat = callbackMessages.for(scope).seenBefore(fresh.msgId);
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		// DingTalk gets its answer at once; the files are fetched afterwards.
		response.status(200).json({});
		if (repeat) {
			this.logger.debug(`DingTalk message ${redact(fresh.msgId.slice(0, 100))} delivered again; not started twice`);
			return { noWebhookResponse: true };
		}
		if (!acceptsMessage(message, options)) return { noWebhookResponse: true };
		const downloadFiles = this.getNodeParameter('downloadFiles', true) as boolean;
		const items = await messageItems(this, message, downloadFiles, options, redact);
		return { noWebhookResponse: true, workflowData: [items] };
	}
}
