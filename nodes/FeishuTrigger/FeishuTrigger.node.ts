import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { ActivationLifetime } from '../shared/delivery/activation';
import type { MessageItemOptions, MessageOrigin } from '../shared/delivery/messageItems';
import { messageItems } from '../shared/delivery/messageItems';
import { RecentDeliveriesRegistry } from '../shared/delivery/recentDeliveries';
import { feishuProvider } from '../shared/messengers/feishu/provider';
import { credentialSecrets, secretRedactor } from '../shared/messengers/secrets';
import { toNodeError } from '../shared/node/errors';
import type { MessengerContext } from '../shared/messengers/types';
import { properties, webhooks } from './description';
import { FeishuLongConnection } from './longConnectionClient';
import type { MessageFilterOptions } from './messageFilter';
import { acceptsMessage } from './messageFilter';
import { parseCallback } from './webhookVerification';

type TriggerOptions = MessageItemOptions & MessageFilterOptions;

const MESSAGE_EVENT = 'im.message.receive_v1';

/**
 * Feishu pushes an event again after 15 s, 5 min, 1 h and 6 h when it saw no answer, and
 * sometimes after a success too: message_ids are remembered for 8 hours (at most 50,000 per
 * trigger), across re-activations in this process, so no message runs twice.
 */
const DUPLICATE_WINDOW_MS = 8 * 60 * 60 * 1000;
const recentMessages = new RecentDeliveriesRegistry({ windowMs: DUPLICATE_WINDOW_MS, maxEntries: 50_000 }, 1_000, 200_000);

/** Feishu's messages as items: every file of the message (a post's pictures and videos too) as its own item. */
const feishuOrigin: MessageOrigin = {
	service: 'feishu',
	provider: feishuProvider,
	remainingFilesHint: "their keys are in the message's content",
};

function asObject(value: unknown): IDataObject | undefined {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

/** The event's type: `header.event_type` (schema 2.0) or `event.type` (v1). */
function eventTypeOf(envelope: IDataObject): string {
	return String(asObject(envelope.header)?.event_type ?? asObject(envelope.event)?.type ?? '');
}

/** The envelope without the Verification Token Feishu puts into every event: it never reaches an item. */
function withoutToken(envelope: IDataObject): IDataObject {
	const clean: IDataObject = { ...envelope };
	delete clean.token;
	const header = asObject(clean.header);
	if (header && 'token' in header) {
		const rest = { ...header };
		delete rest.token;
		clean.header = rest;
	}
	return clean;
}

function credentialText(credentials: ICredentialDataDecryptedObject, field: string): string {
	return typeof credentials[field] === 'string' ? (credentials[field] as string).trim() : '';
}

/** Which trigger a message was remembered by: the same app in another workflow is another trigger. */
function scopeOf(context: ITriggerFunctions | IWebhookFunctions, credentials: ICredentialDataDecryptedObject): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${credentialText(credentials, 'appId')}`;
}

interface EventHandling {
	context: MessengerContext;
	credentials: ICredentialDataDecryptedObject;
	scope: string;
	logger: ITriggerFunctions['logger'];
	lifetime?: ActivationLifetime;
	/** Whether it is to be taken (false: already taken, or filtered out). Checked before anything is downloaded. */
	admit?: () => boolean;
}

/**
 * One pushed event, whichever way it came: the items to start the workflow with, or
 * undefined when it starts nothing (another event type, a message already taken, one the
 * options filter out). A message is remembered before its files are fetched, so a
 * redelivery arriving meanwhile does not start it twice.
 */
async function eventItems(this: ITriggerFunctions | IWebhookFunctions, envelope: IDataObject, handling: EventHandling): Promise<INodeExecutionData[] | undefined> {
	const eventType = eventTypeOf(envelope);
	if (eventType !== MESSAGE_EVENT) {
		handling.logger.debug(`Feishu Trigger: ${eventType || 'an event without a type'} is not a message; acknowledged and not started`);
		return undefined;
	}
	const message = asObject(asObject(envelope.event)?.message) ?? {};
	const id = String(message.message_id ?? asObject(envelope.header)?.event_id ?? '');
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	if (!acceptsMessage(message, options)) return undefined;
	if (handling.admit && !handling.admit()) return undefined;
	if (id && recentMessages.for(handling.scope).seenBefore(id)) {
		handling.logger.debug(`Feishu message ${id.slice(0, 100)} delivered again; not started twice`);
		return undefined;
	}
	const downloadFiles = this.getNodeParameter('downloadFiles', true) as boolean;
	const redact = secretRedactor(handling.credentials);
	return await messageItems(handling.context, feishuOrigin, withoutToken(envelope), downloadFiles, options, redact, handling.lifetime);
}

export class FeishuTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Trigger',
		name: 'feishuTrigger',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "webhook" ? "Webhook" : "Long connection" }}',
		description: "Starts the workflow when a Feishu or Lark bot receives a message, with the message's files attached",
		defaults: { name: 'Feishu Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'feishuApi', required: true }],
		webhooks,
		properties,
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const credentials = await this.getCredentials('feishuApi');
		const manual = this.getMode() === 'manual';
		if (this.getNodeParameter('mode', 'longConnection') === 'webhook') {
			// Webhook mode works through webhook(). A webhook nobody can authenticate would refuse every request: say so now.
			if (!credentialText(credentials, 'encryptKey') && !credentialText(credentials, 'verificationToken')) {
				throw new NodeOperationError(this.getNode(), 'The Feishu credential has neither an Encrypt Key nor a Verification Token', {
					description:
						"Webhook mode refuses requests it cannot authenticate. Copy the Encrypt Key (recommended) and the Verification Token from the app's Events & Callbacks → Encryption Strategy page into the credential.",
				});
			}
			return {};
		}

		const secrets = credentialSecrets(credentials);
		const redact = secretRedactor(credentials);
		const lifetime = new ActivationLifetime();
		// Every request of this activation (endpoint, token, file) ends when it closes.
		const context = lifetime.bind(this);
		const scope = scopeOf(this, credentials);
		// "Listen for test event" takes one message: claimed before its files are fetched, so a second one arriving meanwhile is not fetched too.
		let testEventClaimed = false;
		const admitTestEvent = (deliveryId: string): boolean => {
			if (!manual) return true;
			if (!testEventClaimed) {
				testEventClaimed = true;
				return true;
			}
			this.logger.info(`Feishu Trigger: event ${deliveryId} arrived after the test event was taken; Feishu already has its acknowledgement, so it is not started`);
			return false;
		};

		const onEvent = async (envelope: IDataObject, deliveryId: string): Promise<void> => {
			// Already acknowledged (Feishu wants the answer within 3 s): from here on nothing may be lost silently.
			try {
				const items = await eventItems.call(this, envelope, {
					context,
					credentials,
					scope,
					logger: this.logger,
					lifetime,
					admit: () => admitTestEvent(deliveryId),
				});
				if (!items) return;
				lifetime.assertOpen();
				this.emit([items]);
			} catch (error) {
				if (lifetime.closed) {
					// The shared "left with the messenger" does not hold here: Feishu has its acknowledgement and sends it no more.
					this.logger.warn(`Feishu Trigger: event ${deliveryId} arrived as the trigger was deactivated; Feishu already has its acknowledgement, so it is not delivered again and did not start the workflow`);
					return;
				}
				this.logger.warn(redact(`Feishu Trigger: event ${deliveryId} was acknowledged but not started: ${error instanceof Error ? error.message : String(error)}`));
			}
		};

		let connection: FeishuLongConnection;
		try {
			connection = new FeishuLongConnection({
				httpRequest: context.helpers.httpRequest,
				credentials,
				onEvent,
				onFatal: (error) => {
					// Like n8n's own triggers: report it; n8n deactivates the workflow and retries activation with backoff.
					if (!manual) this.emitError(toNodeError(this.getNode(), error, undefined, secrets));
				},
				logger: {
					debug: (text) => this.logger.debug(redact(text)),
					warn: (text) => this.logger.warn(redact(text)),
				},
			});
		} catch (error) {
			// No WebSocket in this Node (n8n ≤ 2.9 on Node 20 without --experimental-websocket): said at activation.
			throw toNodeError(this.getNode(), error, undefined, secrets);
		}
		const start = async () => {
			try {
				await connection.start();
			} catch (error) {
				await connection.stop();
				throw toNodeError(this.getNode(), error, undefined, secrets);
			}
		};
		// Returns within a second whatever a file host or the gateway does: what is in flight is abandoned.
		const closeFunction = async () => {
			lifetime.close();
			await ActivationLifetime.settleWithin(connection.stop());
		};

		if (manual) return { closeFunction, manualTriggerFunction: start };
		await start();
		return { closeFunction };
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('feishuApi');
		const request = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };
		const response = this.getResponseObject();
		// The signature covers the bytes as sent; n8n keeps them (rawBody). Re-serialised JSON is the fallback.
		const rawBody = request.rawBody?.length ? request.rawBody : JSON.stringify(this.getBodyData());
		const parsed = parseCallback({
			headers: request.headers,
			rawBody,
			encryptKey: credentialText(credentials, 'encryptKey'),
			verificationToken: credentialText(credentials, 'verificationToken'),
		});
		if (parsed.kind === 'refused') {
			// No execution for a request Feishu did not prove.
			response.status(parsed.status).json({ error: `Feishu callback refused: ${parsed.reason}` });
			return { noWebhookResponse: true };
		}
		if (parsed.kind === 'challenge') {
			// Feishu checks the Request URL by this answer, within 1 s.
			response.status(200).json({ challenge: parsed.challenge });
			return { noWebhookResponse: true };
		}
		// Feishu gets its answer at once (it wants one within 3 s); the files are fetched afterwards.
		response.status(200).json({});
		const items = await eventItems.call(this, parsed.envelope as IDataObject, {
			context: this,
			credentials,
			scope: scopeOf(this, credentials),
			logger: this.logger,
		});
		if (!items) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: [items] };
	}
}
