import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression } from 'n8n-workflow';

import { credentialTypes } from './nodeTypes';

/**
 * Saved credentials, as n8n's database would hold them: shared by every execution
 * that uses this store, and updated when preAuthentication fetches a new token.
 */
export class CredentialStore {
	private readonly data: Record<string, ICredentialDataDecryptedObject> = {};

	/** How often a credential was saved back (a token stored). */
	saves = 0;

	constructor(initial: Record<string, ICredentialDataDecryptedObject> = {}) {
		for (const [type, value] of Object.entries(initial)) this.data[type] = { ...value };
	}

	get(type: string): ICredentialDataDecryptedObject {
		const stored = this.data[type];
		if (!stored) throw new Error(`No credential of type ${type} in the test store`);
		return { ...withDefaults(credentialTypes[type].properties, stored) };
	}

	set(type: string, value: ICredentialDataDecryptedObject): void {
		this.data[type] = { ...value };
		this.saves++;
	}
}

/** n8n fills unset credential fields with their defaults before a node sees them. */
function withDefaults(properties: INodeProperties[], data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	const result: ICredentialDataDecryptedObject = {};
	for (const property of properties) {
		if (property.default !== undefined && typeof property.default !== 'object') result[property.name] = property.default as string;
	}
	return Object.assign(result, data);
}

/**
 * Behaves like n8n's CredentialsHelper (packages/cli, 2.8): decrypts from the store,
 * runs `preAuthentication` when the expirable property is empty or n8n reports it
 * expired, saves what it returns, and applies `authenticate` (function or generic).
 * The retry on an expired token is n8n-core's own code, not this helper's.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** How often preAuthentication ran, by credential type. */
	readonly preAuthenticationCalls: Record<string, number> = {};

	constructor(private readonly store: CredentialStore) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	/** n8n-workflow 2.41+ asks before handing a credential to a node; no type here restricts its nodes. */
	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions;
		const { authenticate } = credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type === 'generic') {
			const resolve = (value: string) =>
				isExpression(value)
					? String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') ?? '')
					: value;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				const target = ((requestOptions as unknown as Record<string, Record<string, unknown>>)[section] ??= {});
				for (const [key, value] of Object.entries(entries as Record<string, string>)) target[resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialTypes[typeName];
		const expirable = type.properties.find((property) => property.type === 'hidden' && property.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		this.preAuthenticationCalls[typeName] = (this.preAuthenticationCalls[typeName] ?? 0) + 1;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const updated = Object.assign(credentials, output) as ICredentialDataDecryptedObject;
		this.store.set(typeName, updated);
		return updated;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by this package');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return this.store.get(type);
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.store.set(type, data);
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type].properties;
	}
}
