// Green-API's notification delivery, per instance, with the real semantics:
// - the HTTP API queue: GET receiveNotification?receiveTimeout=5..60 long-polls for the
//   head, answers `null` when nothing came within the timeout; the head stays until
//   DELETE deleteNotification/{receiptId} removes it (→ {"result": true}); FIFO;
// - a webhook URL in the settings takes notifications away from the queue: they are
//   POSTed to it (with "Authorization: Bearer <webhookUrlToken>" when a token is set),
//   and a failed delivery is retried (every minute on the real service; `retryDelayMs` here);
// - getSettings / setSettings (setSettings "restarts" the instance: counted, and
//   optionally `starting` for a while);
// - switches for hostility: 429s, 5xx, dropped polls (socket destroyed), slow
//   long-polls, failed deletes, a request-rate limit on the queue methods.
import type { ServerResponse } from 'node:http';

import { parseJsonObject, sendJson, sendText, sleep, type RequestContext } from './listener';
import type { StandInStats } from './stats';

/** 'resultFalse': 200 {"result": false} and the notification stays (Green-API's answer when it did not delete). */
export type QueueFault = 'status429' | 'status500' | 'status502' | 'drop' | 'slow' | 'resultFalse';

export interface QueueFaults {
	/** Decides the fault (if any) of the n-th receiveNotification call (1-based) of the instance. */
	receive?: (call: number) => QueueFault | undefined;
	/** Decides the fault of the n-th deleteNotification call; a fault leaves the notification in the queue. */
	delete?: (call: number) => QueueFault | undefined;
	/** How long a 'slow' call hangs before answering (default 3 s). */
	slowMs?: number;
}

export interface QueueOptions {
	/** receiveNotification + deleteNotification calls allowed per instance in any 1 s window (429 above it). */
	rateLimitPerSecond?: number;
}

export interface InstanceSettings {
	wid: string;
	webhookUrl: string;
	webhookUrlToken: string;
	incomingWebhook: 'yes' | 'no';
	outgoingWebhook: 'yes' | 'no';
	outgoingMessageWebhook: 'yes' | 'no';
	outgoingAPIMessageWebhook: 'yes' | 'no';
	stateWebhook: 'yes' | 'no';
	delaySendMessagesMilliseconds: number;
	markIncomingMessagesReaded: 'yes' | 'no';
	[key: string]: unknown;
}

export interface WebhookDeliveryOptions {
	/** Extra times the same notification is POSTed after a successful delivery (Green-API's duplicates). */
	duplicates?: number;
	/** Attempts before giving up on a failing webhook (the real service tries for 24 h). Default 5. */
	maxAttempts?: number;
	/** Pause between attempts (the real service waits a minute). Default 200 ms. */
	retryDelayMs?: number;
	/** Overrides the Authorization header (null: none), for tests of wrong tokens. */
	authorization?: string | null;
}

export interface WebhookDelivery {
	/** HTTP statuses of each attempt (0: no answer). */
	statuses: number[];
	delivered: boolean;
}

interface Queued {
	receiptId: number;
	body: Record<string, unknown>;
}

interface Waiter {
	wake: () => void;
}

interface InstanceQueue {
	items: Queued[];
	nextReceiptId: number;
	waiters: Set<Waiter>;
	settings: InstanceSettings;
	faults: QueueFaults;
	receiveCalls: number;
	deleteCalls: number;
	recentCalls: number[];
	/** receiptIds deleted, in order (for exactly-once checks). */
	deleted: number[];
	/** Webhook deliveries: every POST made, with its outcome. */
	deliveries: WebhookDelivery[];
	startingUntil: number;
}

export class GreenNotificationQueues {
	/** How long setSettings keeps the instance "starting" (the real one: up to 5 minutes). Default 0. */
	restartMs = 0;
	options: QueueOptions = {};

	private readonly queues = new Map<string, InstanceQueue>();

	constructor(
		private readonly stats: StandInStats,
		private readonly signal: AbortSignal,
	) {}

	addInstance(idInstance: string): void {
		if (this.queues.has(idInstance)) return;
		this.queues.set(idInstance, {
			items: [],
			nextReceiptId: 1,
			waiters: new Set(),
			settings: {
				wid: `${idInstance}@c.us`,
				webhookUrl: '',
				webhookUrlToken: '',
				incomingWebhook: 'yes',
				outgoingWebhook: 'yes',
				outgoingMessageWebhook: 'yes',
				outgoingAPIMessageWebhook: 'yes',
				stateWebhook: 'no',
				delaySendMessagesMilliseconds: 5000,
				markIncomingMessagesReaded: 'no',
			},
			faults: {},
			receiveCalls: 0,
			deleteCalls: 0,
			recentCalls: [],
			deleted: [],
			deliveries: [],
			startingUntil: 0,
		});
	}

	private queue(idInstance: string | number): InstanceQueue {
		const queue = this.queues.get(String(idInstance));
		if (!queue) throw new Error(`stand-in: add Green-API instance ${idInstance} first`);
		return queue;
	}

	/** Puts a notification at the tail of the instance's HTTP API queue; returns its receiptId. */
	enqueue(idInstance: string | number, body: Record<string, unknown>): number {
		const queue = this.queue(idInstance);
		const receiptId = queue.nextReceiptId++;
		queue.items.push({ receiptId, body });
		for (const waiter of queue.waiters) waiter.wake();
		return receiptId;
	}

	/**
	 * What Green-API does with a new notification: POST it to the webhook URL when one is
	 * set (retrying failures), else queue it. Resolves when delivered, queued or given up.
	 */
	async notify(idInstance: string | number, body: Record<string, unknown>, options: WebhookDeliveryOptions = {}): Promise<WebhookDelivery | { queued: number }> {
		const queue = this.queue(idInstance);
		if (!queue.settings.webhookUrl) return { queued: this.enqueue(idInstance, body) };
		return await this.deliverWebhook(queue, body, options);
	}

	private async deliverWebhook(queue: InstanceQueue, body: Record<string, unknown>, options: WebhookDeliveryOptions): Promise<WebhookDelivery> {
		const delivery: WebhookDelivery = { statuses: [], delivered: false };
		queue.deliveries.push(delivery);
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		const authorization = options.authorization !== undefined ? options.authorization : queue.settings.webhookUrlToken ? `Bearer ${queue.settings.webhookUrlToken}` : null;
		if (authorization !== null) headers.Authorization = authorization;
		const maxAttempts = options.maxAttempts ?? 5;
		const post = async (): Promise<number> => {
			this.stats.greenWebhookPosts++;
			try {
				const response = await fetch(queue.settings.webhookUrl, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([this.signal, AbortSignal.timeout(30_000)]) });
				await response.arrayBuffer().catch(() => undefined);
				return response.status;
			} catch {
				return 0;
			}
		};
		for (let attempt = 1; attempt <= maxAttempts && !this.signal.aborted; attempt++) {
			const status = await post();
			delivery.statuses.push(status);
			if (status >= 200 && status < 300) {
				delivery.delivered = true;
				break;
			}
			if (attempt < maxAttempts && !(await sleep(options.retryDelayMs ?? 200, this.signal))) break;
		}
		for (let copy = 0; delivery.delivered && copy < (options.duplicates ?? 0) && !this.signal.aborted; copy++) {
			delivery.statuses.push(await post());
		}
		return delivery;
	}

	setFaults(idInstance: string | number, faults: QueueFaults): void {
		this.queue(idInstance).faults = faults;
	}

	/** Sets settings directly, as a user would in the console (no restart). */
	updateSettings(idInstance: string | number, settings: Partial<InstanceSettings>): void {
		Object.assign(this.queue(idInstance).settings, settings);
	}

	settingsOf(idInstance: string | number): InstanceSettings {
		return { ...this.queue(idInstance).settings };
	}

	/** The queue's notifications, head first. */
	pending(idInstance: string | number): Array<{ receiptId: number; body: Record<string, unknown> }> {
		return this.queue(idInstance).items.map((item) => ({ ...item }));
	}

	deletedReceipts(idInstance: string | number): number[] {
		return [...this.queue(idInstance).deleted];
	}

	deliveries(idInstance: string | number): WebhookDelivery[] {
		return this.queue(idInstance).deliveries;
	}

	/** Long polls waiting right now (all instances). */
	get waitingPolls(): number {
		let count = 0;
		for (const queue of this.queues.values()) count += queue.waiters.size;
		return count;
	}

	// ---------------------------------------------------------------- API methods

	private rateLimited(queue: InstanceQueue): boolean {
		const limit = this.options.rateLimitPerSecond;
		if (limit === undefined) return false;
		const now = Date.now();
		queue.recentCalls = queue.recentCalls.filter((t) => t > now - 1000);
		if (queue.recentCalls.length >= limit) return true;
		queue.recentCalls.push(now);
		return false;
	}

	/** Answers a fault; true when one was answered (or the socket dropped). */
	private async applyFault(ctx: RequestContext, fault: QueueFault | undefined, faults: QueueFaults): Promise<boolean> {
		if (!fault) return false;
		this.stats.faultsInjected++;
		switch (fault) {
			case 'status429':
				this.stats.rateLimited429++;
				sendText(ctx.res, 429, 'Too Many Requests');
				return true;
			case 'status500':
				sendText(ctx.res, 500, 'Internal Server Error');
				return true;
			case 'status502':
				sendText(ctx.res, 502, 'Bad Gateway', {}, 'text/html');
				return true;
			case 'drop':
				ctx.req.socket.destroy();
				return true;
			case 'resultFalse':
				sendJson(ctx.res, 200, { result: false });
				return true;
			case 'slow':
				await sleep(faults.slowMs ?? 3_000, this.signal);
				return false;
		}
	}

	async receiveNotification(ctx: RequestContext, idInstance: string): Promise<void> {
		this.stats.greenReceiveCalls++;
		const queue = this.queue(idInstance);
		if (ctx.req.method !== 'GET') return sendText(ctx.res, 405, 'Method Not Allowed');
		if (this.rateLimited(queue)) {
			this.stats.rateLimited429++;
			return sendText(ctx.res, 429, 'Too Many Requests');
		}
		const call = ++queue.receiveCalls;
		if (await this.applyFault(ctx, queue.faults.receive?.(call), queue.faults)) return;
		const raw = ctx.url.searchParams.get('receiveTimeout');
		const timeout = raw === null ? 5 : Number(raw);
		if (!Number.isInteger(timeout) || timeout < 5 || timeout > 60) {
			return sendText(ctx.res, 400, `Validation failed. Details: 'receiveTimeout' must be between 5 and 60`);
		}
		const deadline = Date.now() + timeout * 1000;
		// While a webhook URL is set, notifications go there: the queue serves nothing.
		while (!this.signal.aborted && !ctx.res.destroyed) {
			const head = queue.settings.webhookUrl ? undefined : queue.items[0];
			if (head) {
				this.stats.greenNotificationsServed++;
				return sendJson(ctx.res, 200, { receiptId: head.receiptId, body: head.body });
			}
			const left = deadline - Date.now();
			if (left <= 0) return sendJson(ctx.res, 200, null);
			await this.waitForNotification(queue, left, ctx.res);
		}
	}

	private async waitForNotification(queue: InstanceQueue, ms: number, res: ServerResponse): Promise<void> {
		await new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				queue.waiters.delete(waiter);
				res.off('close', done);
				this.signal.removeEventListener('abort', done);
				resolve();
			};
			const waiter: Waiter = { wake: done };
			const timer = setTimeout(done, ms);
			queue.waiters.add(waiter);
			res.once('close', done);
			this.signal.addEventListener('abort', done, { once: true });
		});
	}

	async deleteNotification(ctx: RequestContext, idInstance: string, receiptIdText: string | undefined): Promise<void> {
		this.stats.greenDeleteCalls++;
		const queue = this.queue(idInstance);
		if (ctx.req.method !== 'DELETE') return sendText(ctx.res, 405, 'Method Not Allowed');
		if (this.rateLimited(queue)) {
			this.stats.rateLimited429++;
			return sendText(ctx.res, 429, 'Too Many Requests');
		}
		const call = ++queue.deleteCalls;
		if (await this.applyFault(ctx, queue.faults.delete?.(call), queue.faults)) return;
		const receiptId = Number(receiptIdText);
		if (!Number.isInteger(receiptId)) return sendText(ctx.res, 400, "Validation failed. Details: 'receiptId' must be a number");
		const index = queue.items.findIndex((item) => item.receiptId === receiptId);
		if (index < 0) return sendJson(ctx.res, 200, { result: false });
		queue.items.splice(index, 1);
		queue.deleted.push(receiptId);
		sendJson(ctx.res, 200, { result: true });
	}

	getSettings(ctx: RequestContext, idInstance: string): void {
		this.stats.greenSettingsCalls++;
		if (ctx.req.method !== 'GET') return sendText(ctx.res, 405, 'Method Not Allowed');
		sendJson(ctx.res, 200, this.queue(idInstance).settings);
	}

	setSettings(ctx: RequestContext, idInstance: string): void {
		this.stats.greenSettingsCalls++;
		if (ctx.req.method !== 'POST') return sendText(ctx.res, 405, 'Method Not Allowed');
		const body = parseJsonObject(ctx.body);
		if (!body) return sendText(ctx.res, 400, "Validation failed. Details: 'value' must be of type object");
		const queue = this.queue(idInstance);
		Object.assign(queue.settings, body);
		this.stats.greenSettingsChanges++;
		queue.startingUntil = Date.now() + this.restartMs;
		sendJson(ctx.res, 200, { saveSettings: true });
	}
}
