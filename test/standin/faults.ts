// Hostile behaviour attached to one registered file. API faults fire on the
// link-resolution call (DingTalk messageFiles/download, Green-API downloadFile)
// as soon as the file is identified, before auth and validation: they model a
// gateway or network in trouble. File faults fire on GETs of the file link.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sendText } from './listener';

export interface ApiFault {
	status: number;
	/** Object → JSON; string → sent as is (text/plain unless headers say otherwise). */
	body?: unknown;
	headers?: Record<string, string>;
	/** How many calls get this answer before normal behaviour resumes. Default: all. */
	times?: number;
}

export type FileFaultKind =
	| 'truncate' // Content-Length of the whole file, half the bytes, then the socket is destroyed
	| 'stall' // headers and the first few KB, then silence until close()
	| 'stallBeforeHeaders' // request accepted, never answered
	| 'html200' // 200 text/html error page
	| 'empty' // 200 with zero bytes
	| 'reset' // socket destroyed before any byte
	| 'noContentLength' // chunked transfer, no Content-Length
	| 'redirect'; // 302 chain (see `redirects`, `redirectTo`)

export interface CustomFileAnswer {
	status: number;
	body?: string | Buffer;
	contentType?: string;
	headers?: Record<string, string>;
}

export interface Fault {
	api?: ApiFault;
	/** Destroy the socket of the first n link-resolution calls (before `api` applies). */
	apiResetTimes?: number;
	file?: FileFaultKind | CustomFileAnswer;
	/** How many GETs of the file link get `file`. Default: all. */
	fileTimes?: number;
	/** For file 'redirect': number of 302 hops on the same host before the bytes. Default 1. */
	redirects?: number;
	/** For file 'redirect': a single 302 to this Location instead (e.g. 'file:///etc/passwd'). */
	redirectTo?: string;
	/** For file 'stall': bytes sent before going silent. Default 4096. */
	stallAfterBytes?: number;
	/** Throttle every body of this file to this rate. */
	slowBytesPerSecond?: number;
}

/** What the n-th (0-based) link-resolution call for a file must get. */
export function pickApiFault(fault: Fault | undefined, callIndex: number): 'reset' | ApiFault | undefined {
	if (!fault) return undefined;
	const resets = fault.apiResetTimes ?? 0;
	if (callIndex < resets) return 'reset';
	if (fault.api && callIndex - resets < (fault.api.times ?? Infinity)) return fault.api;
	return undefined;
}

export function sendApiFault(res: ServerResponse, fault: ApiFault, baseHeaders: Record<string, string>): void {
	// fault.headers come last in sendText's header object, so they win (Content-Type included).
	const headers = { ...baseHeaders, ...(fault.headers ?? {}) };
	if (fault.body === undefined) {
		res.writeHead(fault.status, { 'Content-Length': '0', ...headers });
		res.end();
	} else if (typeof fault.body === 'string') {
		sendText(res, fault.status, fault.body, headers);
	} else {
		sendText(res, fault.status, JSON.stringify(fault.body), headers, 'application/json');
	}
}

/** Ready-made faults for the common hostile cases. */
export const presetFaults = {
	/** DingTalk throttling (HTTP 403, as DingTalk does it). */
	dingTalkQpsLimit: (times = 1): Fault => ({
		api: {
			status: 403,
			times,
			body: {
				code: 'Forbidden.AccessDenied.QpsLimitForApi',
				message: '请求过于频繁，请稍后再试',
				requestid: randomUUID().toUpperCase(),
			},
		},
	}),
	/** DingTalk: the app lacks qyapi_robot_sendmsg. */
	dingTalkPermissionDenied: (times = Infinity): Fault => ({
		api: {
			status: 403,
			times,
			body: {
				code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
				message: '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission',
				requestid: randomUUID().toUpperCase(),
				accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] },
			},
		},
	}),
	/** A plain gateway error, e.g. 502/503/504. */
	gateway: (status = 502, times = 1): Fault => ({
		api: { status, times, body: `<html><body><h1>${status}</h1></body></html>`, headers: { 'Content-Type': 'text/html' } },
	}),
	/** 429 with a Retry-After header. */
	tooManyRequests: (retryAfterSeconds = 1, times = 1): Fault => ({
		api: { status: 429, times, body: 'Too Many Requests', headers: { 'Retry-After': String(retryAfterSeconds) } },
	}),
	/** Green-API quota exceeded (HTTP 466). */
	greenQuotaExceeded: (times = Infinity): Fault => ({ api: { status: 466, times, body: GREEN_QUOTA_EXCEEDED_BODY } }),
};

export const GREEN_QUOTA_EXCEEDED_BODY = {
	invokeStatus: {
		status: 'QUOTE_EXCEEDED',
		description: 'Monthly quota has been exceeded. Upgrade the instance tariff to continue.',
	},
	correspondentsStatus: {
		status: 'CORRESPONDENTS_QUOTE_EXCEEDED',
		description: 'Quota of correspondents has been exceeded.',
	},
};
