import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, OperationalError } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { ExecutionWaiter } from '../shared/delivery/executionOutcome';
import { ActivationLifetime } from '../shared/delivery/activation';
import type { MessageItemOptions, MessageOrigin } from '../shared/delivery/messageItems';
import { messageItems } from '../shared/delivery/messageItems';
import { RecentDeliveries } from '../shared/delivery/recentDeliveries';
import { messengerName, messengerOf } from '../shared/messengers/greenApi/api';
import { greenApiProvider } from '../shared/messengers/greenApi/provider';
import { credentialSecrets, secretRedactor } from '../shared/messengers/secrets';
import { toNodeError } from '../shared/node/errors';
import { getSettings, setSettings } from '../shared/messengers/greenApi/settings';
import { binaryPropertyNameOf } from '../shared/pipeline/fileOptions';
import { properties, webhooks } from './description';
import type { NotificationFilter } from './notificationFilter';
import { DEFAULT_WEBHOOK_TYPES, acceptsNotification, parseChatIds } from './notificationFilter';
import { NotificationPoller } from './notificationPoller';
import { DEDUP_WINDOW, notificationKey, webhookDeliveries } from './notificationKey';
import { bearerTokenMatches } from './webhookToken';

interface ItemOptions extends MessageItemOptions {
	downloadFiles: boolean;
}

interface TriggerOptions extends ItemOptions {
	chatIds?: string;
	messageTypes?: string[];
	webhookTypes?: string[];
	deleteAfter?: 'emitted' | 'executionFinished';
}

function readOptions(context: ITriggerFunctions | IWebhookFunctions): { items: ItemOptions; filter: NotificationFilter; deleteAfter: string } {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	return {
		items: { ...options, downloadFiles: context.getNodeParameter('downloadFiles', true) as boolean },
		filter: {
			webhookTypes: options.webhookTypes ?? DEFAULT_WEBHOOK_TYPES,
			messageTypes: options.messageTypes ?? [],
			chatIds: parseChatIds(options.chatIds),
		},
		deleteAfter: options.deleteAfter ?? 'emitted',
	};
}

function scopeOf(context: ITriggerFunctions | IWebhookFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
}

function webhookToken(credentials: ICredentialDataDecryptedObject): string {
	return typeof credentials.webhookUrlToken === 'string' ? credentials.webhookUrlToken.trim() : '';
}

/** Said at every activation of a webhook anyone can call: nothing else would tell. */
function OPEN_WEBHOOK_WARNING(workflow: string): string {
	return `Green-API Trigger in workflow "${workflow}": the webhook is open — the credential has no Webhook Token, so anyone who knows the URL can start this workflow with a made-up notification. Set a Webhook Token in the credential and the same value as webhookUrlToken in the Green-API console.`;
}

/** Items a test webhook produced, handed to the manual run of the same node (n8n runs the trigger after a test webhook). */
const parkedTestItems = new Map<string, INodeExecutionData[]>();

/** Green-API's notifications as items: the body as Green-API sent it, with its file attached. */
const greenApiOrigin: MessageOrigin = { service: 'greenApi', provider: greenApiProvider };

/** A notification as output items (nothing to download when Download Files is off). */
async function notificationItems(
	context: ITriggerFunctions | IWebhookFunctions,
	body: IDataObject,
	options: ItemOptions,
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	return await messageItems(context, greenApiOrigin, body, options.downloadFiles, options, secretRedactor(credentials));
}

/** An error from the Green-API helpers as n8n's error, with the token gone from every text. */
function apiError(context: ITriggerFunctions | IHookFunctions, error: unknown, credentials: ICredentialDataDecryptedObject): Error {
	if (!isMessageFileError(error)) return error instanceof Error ? error : new Error(String(error));
	return toNodeError(context.getNode(), error, undefined, credentialSecrets(credentials));
}

interface SavedWebhookUrl {
	previousWebhookUrl?: string;
	webhookUrl?: string;
}

export class GreenApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Green-API Trigger',
		name: 'greenApiTrigger',
		icon: { light: 'file:greenApi.svg', dark: 'file:greenApi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "polling" ? "Polling" : "Webhook" }}',
		description: 'Starts the workflow when a Green-API WhatsApp, MAX or Telegram instance receives a message, with its file attached',
		defaults: { name: 'Green-API Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'greenApi', required: true }],
		webhooks,
		properties,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode') !== 'webhook' || !(this.getNodeParameter('setWebhookUrl', false) as boolean)) return true;
				const credentials = await this.getCredentials('greenApi');
				try {
					const settings = await getSettings(this);
					return settings.webhookUrl === this.getNodeWebhookUrl('default');
				} catch (error) {
					throw apiError(this, error, credentials);
				}
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode') !== 'webhook' || !(this.getNodeParameter('setWebhookUrl', false) as boolean)) return true;
				const credentials = await this.getCredentials('greenApi');
				const webhookUrl = this.getNodeWebhookUrl('default') ?? '';
				try {
					const current = await getSettings(this);
					const token = typeof credentials.webhookUrlToken === 'string' ? credentials.webhookUrlToken : '';
					await setSettings(this, { webhookUrl, incomingWebhook: 'yes', ...(token ? { webhookUrlToken: token } : {}) });
					const saved: SavedWebhookUrl = { previousWebhookUrl: current.webhookUrl ?? '', webhookUrl };
					Object.assign(this.getWorkflowStaticData('node'), saved);
				} catch (error) {
					throw apiError(this, error, credentials);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node') as SavedWebhookUrl;
				if (staticData.webhookUrl === undefined) return true;
				const credentials = await this.getCredentials('greenApi');
				try {
					const current = await getSettings(this);
					// Someone changed the URL since: theirs stays.
					if (current.webhookUrl === staticData.webhookUrl) await setSettings(this, { webhookUrl: staticData.previousWebhookUrl ?? '' });
				} catch (error) {
					throw apiError(this, error, credentials);
				}
				delete staticData.webhookUrl;
				delete staticData.previousWebhookUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const response = this.getResponseObject();
		const credentials = await this.getCredentials('greenApi');
		const token = webhookToken(credentials);
		if (token && !bearerTokenMatches(this.getHeaderData().authorization, token)) {
			response.status(401).json({ message: 'Unauthorized: missing or wrong Authorization: Bearer token' });
			return { noWebhookResponse: true };
		}
		const body = this.getBodyData();
		if (!body || typeof body !== 'object' || typeof body.typeWebhook !== 'string') {
			response.status(400).json({ message: 'Not a Green-API notification: expected a JSON object with typeWebhook' });
			return { noWebhookResponse: true };
		}
		// Green-API names the instance in every notification: another instance's (or none) did not come from this credential's.
		const instance = String((body.instanceData as { idInstance?: unknown } | undefined)?.idInstance ?? '').trim();
		const ownInstance = String(credentials.idInstance ?? '').trim();
		if (instance !== ownInstance) {
			response.status(403).json({ message: 'Refused: instanceData.idInstance is not the instance of this trigger\'s Green-API credential' });
			return { noWebhookResponse: true };
		}
		const { items: itemOptions, filter } = readOptions(this);
		const key = notificationKey(body);
		const skip = !acceptsNotification(body, filter) || webhookDeliveries.for(scopeOf(this)).seenBefore(key);
		// Green-API waits for this answer and retries what fails: answer before any download.
		response.status(200).json({ received: true });
		if (skip) return { noWebhookResponse: true };
		const items = await notificationItems(this, body, itemOptions, credentials);
		if (this.getMode() === 'manual') parkedTestItems.set(scopeOf(this), items);
		return { noWebhookResponse: true, workflowData: [items] };
	}

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse | undefined> {
		const mode = this.getNodeParameter('mode') as string;
		// A setting that would fail every notification fails the activation instead.
		const { items: checkedOptions } = readOptions(this);
		if (checkedOptions.downloadFiles) {
			try {
				binaryPropertyNameOf(checkedOptions);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), (error as Error).message, { description: isMessageFileError(error) ? error.details.description : undefined });
			}
		}
		if (mode !== 'polling') {
			// Webhook mode: the webhook does the work. After a test webhook n8n runs this node
			// manually; hand it what the webhook produced.
			if (this.getActivationMode() !== 'manual') {
				const credentials = await this.getCredentials('greenApi');
				if (!webhookToken(credentials)) this.logger.warn(OPEN_WEBHOOK_WARNING(this.getWorkflow().name ?? String(this.getWorkflow().id ?? '')));
				return {};
			}
			const scope = scopeOf(this);
			return {
				manualTriggerFunction: async () => {
					const items = parkedTestItems.get(scope) ?? [];
					parkedTestItems.delete(scope);
					this.emit([items]);
				},
			};
		}

		const credentials = await this.getCredentials('greenApi');
		let webhookUrl: string | undefined;
		try {
			webhookUrl = (await getSettings(this)).webhookUrl;
		} catch (error) {
			throw apiError(this, error, credentials);
		}
		if (typeof webhookUrl === 'string' && webhookUrl.trim() !== '') {
			throw new NodeOperationError(this.getNode(), 'Polling needs the instance\'s webhook URL to be empty, but it is set', {
				description:
					'Green-API puts notifications in the queue this node reads only while no webhook URL is set. Clear “Webhook URL” in the Green-API console (instance → Settings; the instance restarts, which takes up to 5 minutes), or set Mode to Webhook.',
			});
		}

		const { items: itemOptions, filter, deleteAfter } = readOptions(this);
		const recent = new RecentDeliveries({ maxEntries: DEDUP_WINDOW });
		const lifetime = new ActivationLifetime();
		// Downloads of this activation end when it closes; the queue calls have their own signal.
		const context = lifetime.bind(this);
		// A manual (editor) run ends at the first emit: nothing to wait for there.
		const waiter = deleteAfter === 'executionFinished' && this.getActivationMode() !== 'manual' ? new ExecutionWaiter(this) : undefined;
		const messenger = messengerName(messengerOf(credentials));
		const poller = new NotificationPoller(
			this,
			{ receiveTimeoutSeconds: this.getNodeParameter('receiveTimeout', 20) as number },
			{
				deliver: async ({ body, receiptId }) => {
					const key = notificationKey(body, receiptId);
					if (!acceptsNotification(body, filter) || recent.has(key)) return;
					const items = await notificationItems(context, body, itemOptions, credentials);
					// Closed meanwhile: nothing is emitted after close; the notification stays in the queue for the next activation.
					lifetime.assertOpen();
					// Remembered only once emitted: a notification that failed before is not taken for a duplicate.
					recent.remember(key);
					if (!waiter) {
						this.emit([items]);
						return;
					}
					const what = `Green-API Trigger (${messenger}): notification ${String(body.idMessage ?? body.typeWebhook ?? '')}`;
					const result = await waiter.emit([items], key, what);
					if (result.action === 'acknowledge') return;
					// A failed delivery keeps it queued: the queue hands it out again, and it must not be taken for a duplicate then.
					recent.forget(key);
					// Closed mid-execution: the poller is stopping and logs nothing.
					throw result.action === 'deliverAgain' ? result.error : new OperationalError(`${what}: the trigger stopped before its execution finished; left in the queue`);
				},
				onError: (error, delayMs) => {
					const text = secretRedactor(credentials)(error.message);
					this.logger.warn(`${text.startsWith('Green-API Trigger') ? '' : `Green-API Trigger (${messenger}): `}${text}${delayMs ? `; trying again in ${Math.round(delayMs / 1000)} s` : ''}`);
				},
			},
		);
		poller.start();
		return {
			// Returns within a second whatever the file host does: the notification in flight stays queued.
			closeFunction: async () => {
				lifetime.close();
				waiter?.close();
				await poller.stop();
			},
		};
	}
}
