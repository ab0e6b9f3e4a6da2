import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { ExecutionWaiter } from '../shared/delivery/executionOutcome';
import { ActivationLifetime } from '../shared/delivery/activation';
import type { MessageItemOptions, MessageOrigin } from '../shared/delivery/messageItems';
import { messageItems } from '../shared/delivery/messageItems';
import { dingTalkProvider } from '../shared/messengers/dingTalk/provider';
import { credentialSecrets, secretRedactor } from '../shared/messengers/secrets';
import { toNodeError } from '../shared/node/errors';
import { RecentDeliveries, RecentDeliveriesRegistry, hashKey } from '../shared/delivery/recentDeliveries';
import { openStreamConnection } from '../shared/messengers/dingTalk/stream';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { MAX_CLOCK_SKEW_MS, checkCallbackFreshness, checkCallbackSignature } from './callbackSignature';
import { properties, webhooks } from './description';
import type { MessageFilterOptions } from './messageFilter';
import { acceptsMessage } from './messageFilter';
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

/** DingTalk's messages as items: later items of a richText message carry it without its content (the same message, not a copy per file). */
const dingTalkOrigin: MessageOrigin = {
	service: 'dingTalk',
	provider: dingTalkProvider,
	laterItemJson: (message) => {
		const reference = { ...message };
		delete reference.content;
		delete reference.text;
		return reference;
	},
	remainingFilesHint: "their download codes are in the message's content",
};

function callbackSecret(credentials: ICredentialDataDecryptedObject): string {
	const value = credentials.appType === 'thirdParty' ? credentials.suiteSecret : credentials.appSecret;
	return typeof value === 'string' ? value.trim() : '';
}

/** DingTalk said no for a reason that retrying will not change (wrong or revoked key/secret, a missing field). */
function isLastingRefusal(error: unknown): boolean {
	if (!isMessageFileError(error) || error.retryable) return false;
	if (error.details.kind === 'input') return true;
	const status = error.details.httpCode ?? 0;
	return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** A robot message, or why the frame is none: every robot message is a JSON object with its msgtype. */
function parseMessage(data: string): { message: IDataObject } | { notMessage: string } {
	let value: unknown;
	try {
		value = JSON.parse(data);
	} catch {
		return { notMessage: 'its data is not JSON' };
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) return { notMessage: 'its data is not a JSON object' };
	const message = value as IDataObject;
	if (typeof message.msgtype !== 'string' || !message.msgtype) return { notMessage: 'it has no msgtype' };
	return { message };
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
		const redact = secretRedactor(credentials);
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
			const items = await messageItems(context, dingTalkOrigin, message, downloadFiles, options, redact, lifetime);
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
			const parsed = parseMessage(frame.data);
			if ('notMessage' in parsed) {
				// Answering it ends its redeliveries; the log says why nothing started.
				this.logger.warn(`DingTalk Stream frame ${frame.headers.messageId} is not a robot message (${parsed.notMessage}): answered, nothing started`);
				return 'ack';
			}
			const { message } = parsed;
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
					if (!manual) this.emitError(toNodeError(this.getNode(), error, undefined, credentialSecrets(credentials)));
					return 'give up';
				},
				logger: {
					debug: (text) => this.logger.debug(redact(text)),
					warn: (text) => this.logger.warn(redact(text)),
				},
			});
		} catch (error) {
			throw toNodeError(this.getNode(), error, undefined, credentialSecrets(credentials));
		}
		const start = async () => {
			try {
				await client.start();
			} catch (error) {
				await client.stop();
				throw toNodeError(this.getNode(), error, undefined, credentialSecrets(credentials));
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
		const redact = secretRedactor(credentials);
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
		const items = await messageItems(this, dingTalkOrigin, message, downloadFiles, options, redact);
		return { noWebhookResponse: true, workflowData: [items] };
	}
}
