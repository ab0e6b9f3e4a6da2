import type { IExecuteFunctions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import type { ChatTarget, ExecutionState } from '../types';
import { dingTalkBaseUrl, dingTalkError } from './api';
import { sendDingTalkRequest } from './tokenRenewal';

export const ONE_TO_ONE_PATH = '/v1.0/robot/oToMessages/batchSend';
export const GROUP_PATH = '/v1.0/robot/groupMessages/send';

/** batchSend takes at most 20 user IDs per call (DingTalk's batchSend page). */
export const MAX_USERS_PER_MESSAGE = 20;

/** A robot message: DingTalk's template key and its parameters (sent as JSON text). */
export interface RobotMessage {
	msgKey: string;
	msgParam: Record<string, string>;
}

function stringList(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Sends one robot message to the target's user(s) or group; returns its processQueryKey.
 * A user DingTalk lists back as invalid or throttled did not get it: an error, not a success.
 */
export async function sendRobotMessage(
	context: IExecuteFunctions,
	target: ChatTarget,
	message: RobotMessage,
	state: ExecutionState,
): Promise<string> {
	const { robotCode, userIds, openConversationId, coolAppCode } = target.address;
	const group = typeof openConversationId === 'string' && openConversationId !== '';
	const base = dingTalkBaseUrl(await credentialsOnce(context, 'dingTalkApi'));
	const body = {
		robotCode,
		// A group whose robot came with a group cool app takes messages only with its code.
		...(group ? { openConversationId, ...(typeof coolAppCode === 'string' && coolAppCode ? { coolAppCode } : {}) } : { userIds }),
		msgKey: message.msgKey,
		// DingTalk wants msgParam as JSON text, not an object.
		msgParam: JSON.stringify(message.msgParam),
	};
	const response = await sendDingTalkRequest(
		context,
		{
			method: 'POST',
			url: `${base}${group ? GROUP_PATH : ONE_TO_ONE_PATH}`,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: state.timeoutMs,
		},
		state,
	);
	if (response.statusCode !== 200) throw dingTalkError(response, group ? 'send the group message' : 'send the message');
	const answer = (response.body ?? {}) as Record<string, unknown>;
	const invalid = stringList(answer.invalidStaffIdList);
	const throttled = stringList(answer.flowControlledStaffIdList);
	// Newer SDKs also list users the message was filtered out for.
	const filtered = stringList(answer.filteredStaffIdList);
	if (invalid.length > 0) {
		throw new MessageFileError(`DingTalk did not deliver the message to ${invalid.join(', ')}: not a user of the organisation`, {
			kind: 'api',
			httpCode: 200,
			apiCode: 'invalidStaffIdList',
			description:
				'These staff IDs are not members of the organisation the app belongs to (or have left it). Use the senderStaffId of a message from the user, or the userId from the organisation\'s contacts.',
		});
	}
	if (throttled.length > 0) {
		throw new MessageFileError(`DingTalk did not deliver the message to ${throttled.join(', ')}: too many messages to them`, {
			kind: 'api',
			httpCode: 200,
			apiCode: 'flowControlledStaffIdList',
			description: 'DingTalk limits how many robot messages one user gets; send fewer messages to these users, or try again later.',
		});
	}
	if (filtered.length > 0) {
		throw new MessageFileError(`DingTalk did not deliver the message to ${filtered.join(', ')}: filtered out`, {
			kind: 'api',
			httpCode: 200,
			apiCode: 'filteredStaffIdList',
			description: 'DingTalk filtered the message out for these users (for example the user blocked the robot or is outside its visible range).',
		});
	}
	const processQueryKey = answer.processQueryKey;
	if (typeof processQueryKey !== 'string' || processQueryKey === '') {
		throw new MessageFileError('DingTalk answered without a message key', {
			kind: 'api',
			httpCode: 200,
			description: 'The send call succeeded but carried no processQueryKey. Check the Base URL in the credential.',
		});
	}
	return processQueryKey;
}
