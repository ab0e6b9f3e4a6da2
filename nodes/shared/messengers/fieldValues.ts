import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../transport/errors';
import { parameterValue } from './parameterValue';

/**
 * Reads an identifier parameter as a trimmed string. Expressions often yield numbers
 * (a MAX chat ID, a message ID), which are accepted; objects and empty values are not.
 */
export function readIdentifier(
	context: IExecuteFunctions,
	parameterName: string,
	displayName: string,
	itemIndex: number,
	required: boolean,
): string {
	return identifierValue(parameterValue(context, parameterName, itemIndex, ''), displayName, required);
}

export function identifierValue(value: unknown, displayName: string, required: boolean): string {
	if (value === undefined || value === null) {
		if (required) throw inputError(`${displayName} is empty`, `Set ${displayName}, for example with an expression that reads it from the incoming message.`);
		return '';
	}
	if (typeof value === 'number' || typeof value === 'bigint') {
		if (typeof value === 'number' && !Number.isSafeInteger(value)) {
			throw inputError(
				`${displayName} is a number too large to be exact (${value})`,
				`Pass ${displayName} as a string: large IDs lose digits as JavaScript numbers.`,
			);
		}
		return String(value);
	}
	if (typeof value !== 'string') {
		throw inputError(`${displayName} must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`, `Map ${displayName} to a single text value.`);
	}
	const trimmed = value.trim();
	if (trimmed === '' && required) {
		throw inputError(`${displayName} is empty`, `Set ${displayName}, for example with an expression that reads it from the incoming message.`);
	}
	if (trimmed.length > 4096) throw inputError(`${displayName} is too long (${trimmed.length} characters)`, `Check what is mapped to ${displayName}.`);
	if (hasControlCharacters(trimmed)) throw inputError(`${displayName} contains control characters`, `Check what is mapped to ${displayName}.`);
	return trimmed;
}

/** A string field of a message, or undefined. Numbers become strings (IDs, durations). */
export function stringField(object: IDataObject | undefined, key: string): string | undefined {
	const value = object?.[key];
	if (typeof value === 'string') return value.trim() || undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function objectField(object: IDataObject | undefined, key: string): IDataObject | undefined {
	const value = object?.[key];
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

/** Copies the listed fields that are present, skipping undefined ones. */
export function pickDefined(entries: Record<string, unknown>): IDataObject {
	const result: IDataObject = {};
	for (const [key, value] of Object.entries(entries)) {
		if (value !== undefined && value !== null && value !== '') result[key] = value as IDataObject[string];
	}
	return result;
}

export function hasControlCharacters(text: string): boolean {
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}
