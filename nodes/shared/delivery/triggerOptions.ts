import type { INodeProperties } from 'n8n-workflow';

import { binaryPropertyNameOption, maxFileSizeOption, maxRetriesOption, timeoutOption } from '../pipeline/fileOptions';
import { DEFAULT_MAX_FILES_PER_MESSAGE } from './messageItems';

/** Shown only while Download Files is on. */
function whileDownloading(option: INodeProperties): INodeProperties {
	return { ...option, displayOptions: { show: { '/downloadFiles': [true] } } };
}

/**
 * A trigger's Options: its own (chat type, filters…) and the file options every trigger
 * with Download Files has, in alphabetical order as n8n lists a collection's entries.
 * `manyFiles` says what holds many files in this messenger and what each costs.
 */
export function triggerOptions(own: INodeProperties[], manyFiles: string): INodeProperties[] {
	const fileOptions = [
		maxFileSizeOption,
		{
			displayName: 'Max Files per Message',
			name: 'maxFilesPerMessage',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: DEFAULT_MAX_FILES_PER_MESSAGE,
			description: `${manyFiles} Files beyond this number are not downloaded; the first item names how many in filesNotDownloaded`,
		} satisfies INodeProperties,
		maxRetriesOption,
		binaryPropertyNameOption,
		timeoutOption,
	].map(whileDownloading);
	return [...own, ...fileOptions].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** The Message Types filter: with all selected (the default), types not listed pass too. */
export function messageTypesOption<T extends string>(types: readonly T[], names: Record<T, string>): INodeProperties {
	return {
		displayName: 'Message Types',
		name: 'messageTypes',
		type: 'multiOptions',
		options: types.map((value) => ({ name: names[value], value })),
		default: [...types],
		description: 'Which messages start the workflow. With all selected, types not listed here pass too.',
	};
}
