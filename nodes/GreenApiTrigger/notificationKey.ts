import type { IDataObject } from 'n8n-workflow';

import { RecentDeliveriesRegistry } from '../shared/delivery/recentDeliveries';

/** How many notifications the de-duplication remembers per trigger. */
export const DEDUP_WINDOW = 10_000;

/**
 * What makes a notification the same one again: its type, instance and idMessage, plus the
 * status for status notifications (one message gets sent, delivered, read). Notifications
 * without idMessage (instance state changes) are not de-duplicated.
 */
export function notificationKey(body: IDataObject): string | undefined {
	const idMessage = body.idMessage;
	if (typeof idMessage !== 'string' && typeof idMessage !== 'number') return undefined;
	const instance = (body.instanceData as IDataObject | undefined)?.idInstance;
	const status = typeof body.status === 'string' ? body.status : '';
	return JSON.stringify([String(body.typeWebhook ?? ''), String(instance ?? ''), String(idMessage), status]);
}

/** The webhook's de-duplication, one cache per trigger node. */
export const webhookDeliveries = new RecentDeliveriesRegistry({ maxEntries: DEDUP_WINDOW });
