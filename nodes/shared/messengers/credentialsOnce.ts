import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { MessengerContext } from './types';

/**
 * A credential's settings, read once per execution: n8n loads and decrypts a credential
 * from its database on every getCredentials call, which costs more than the download
 * of a small file. Keyed by the execution's context object, so nothing outlives it.
 * (The DingTalk token itself is read fresh: n8n may renew it mid-execution.)
 */
const perExecution = new WeakMap<MessengerContext, Map<string, Promise<ICredentialDataDecryptedObject>>>();

export async function credentialsOnce(context: MessengerContext, type: string): Promise<ICredentialDataDecryptedObject> {
	let byType = perExecution.get(context);
	if (!byType) {
		byType = new Map();
		perExecution.set(context, byType);
	}
	let credentials = byType.get(type);
	if (!credentials) {
		credentials = context.getCredentials(type);
		byType.set(type, credentials);
		// A failed read is not remembered: the next item tries again and reports its own error.
		credentials.catch(() => byType?.delete(type));
	}
	return await credentials;
}
