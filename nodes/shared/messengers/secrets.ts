import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * Credential fields whose values must never reach an error, a log line or a node's
 * output, whichever messenger they belong to (app secrets, tokens, tickets, keys).
 */
export const SECRET_FIELDS = [
	'appSecret',
	'suiteSecret',
	'suiteTicket',
	'accessToken',
	'apiTokenInstance',
	'webhookUrlToken',
	'tenantAccessToken',
	'encryptKey',
	'verificationToken',
];

/** The secret values a credential holds (short values are not secrets worth masking: they would mask ordinary words). */
export function credentialSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	return SECRET_FIELDS.map((field) => credentials[field])
		.filter((value): value is string => typeof value === 'string' && value.trim().length >= 4)
		.map((value) => value.trim());
}

/** The text with every secret, as it is and URL-encoded, replaced by ***. */
export function redactSecrets(text: string, secrets: string[]): string {
	return secrets.reduce((result, secret) => result.split(secret).join('***').split(encodeURIComponent(secret)).join('***'), text);
}

/** A function that masks the credential's secrets in a text. */
export function secretRedactor(credentials: ICredentialDataDecryptedObject): (text: string) => string {
	const secrets = credentialSecrets(credentials);
	return (text) => redactSecrets(text, secrets);
}
