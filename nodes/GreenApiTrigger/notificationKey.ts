import type { IDataObject } from 'n8n-workflow';

import { RecentDeliveriesRegistry, hashKey } from '../shared/delivery/recentDeliveries';

/** How many notifications the de-duplication remembers per trigger. */
export const DEDUP_WINDOW = 10_000;

/**
 * What makes a notification the same one again: its type, instance and idMessage, plus the
 * status for status notifications (one message gets sent, delivered, read). A notification
 * without idMessage (an instance state change, a call) is known by its queue receipt (the
 * same while it stays at the head of the queue) and a hash of its body, so a failed
 * delete never means a second execution. The cache stores a hash of the key, whatever
 * its length.
 */
export function notificationKey(body: IDataObject, receiptId?: number): string {
	const idMessage = body.idMessage;
	const instance = (body.instanceData as IDataObject | undefined)?.idInstance;
	if (typeof idMessage === 'string' || typeof idMessage === 'number') {
		const status = typeof body.status === 'string' ? body.status : '';
		return JSON.stringify([String(body.typeWebhook ?? ''), String(instance ?? ''), String(idMessage), status]);
	}
	return JSON.stringify(['receipt', receiptId ?? null, hashKey(JSON.stringify(body))]);
}

/** The webhook's de-duplication, one cache per trigger node. */
export const webhookDeliveries = new RecentDeliveriesRegistry({ maxEntries: DEDUP_WINDOW });
