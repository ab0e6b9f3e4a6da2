import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { sendApiRequest } from '../../transport/apiResponse';
import type { MessengerContext } from '../types';
import { greenApiError } from './api';

/** The instance settings a trigger reads or changes (getSettings / setSettings). */
export interface InstanceSettings extends IDataObject {
	webhookUrl?: string;
	webhookUrlToken?: string;
	incomingWebhook?: string;
	outgoingWebhook?: string;
	outgoingMessageWebhook?: string;
	outgoingAPIMessageWebhook?: string;
}

const SETTINGS_TIMEOUT_MS = 30_000;

/** Settings are read on activation and changed by webhook registration hooks, as well as from nodes. */
export type SettingsContext = MessengerContext | IHookFunctions;

export async function getSettings(context: SettingsContext): Promise<InstanceSettings> {
	const response = await sendApiRequest(
		async () =>
			await context.helpers.httpRequestWithAuthentication.call(context, 'greenApi', {
				method: 'GET',
				url: 'getSettings',
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: SETTINGS_TIMEOUT_MS,
			}),
		'Green-API',
	);
	if (response.statusCode !== 200 || !response.body || typeof response.body !== 'object') {
		throw greenApiError(response, await context.getCredentials('greenApi'), "could not read the instance's settings", 'getSettings');
	}
	return response.body as InstanceSettings;
}

/** Changes settings. Green-API restarts the instance to apply them, which takes up to 5 minutes. */
export async function setSettings(context: SettingsContext, settings: InstanceSettings): Promise<void> {
	const response = await sendApiRequest(
		async () =>
			await context.helpers.httpRequestWithAuthentication.call(context, 'greenApi', {
				method: 'POST',
				url: 'setSettings',
				body: settings,
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: SETTINGS_TIMEOUT_MS,
			}),
		'Green-API',
	);
	const saved = (response.body as { saveSettings?: unknown } | undefined)?.saveSettings;
	if (response.statusCode !== 200 || saved === false) {
		throw greenApiError(response, await context.getCredentials('greenApi'), "could not change the instance's settings", 'setSettings');
	}
}
