import { Reader, Writer } from 'protobufjs/minimal';

/**
 * The frames of Feishu's long connection: protobuf (proto2) message `pbbp2.Frame` with
 * repeated `pbbp2.Header`, as the official SDK (@larksuiteoapi/node-sdk 1.74.0) encodes them.
 * Field numbers and wire types follow its generated code; the uint64 ids are read as JS
 * numbers, as the SDK reads them (it runs protobufjs without Long).
 */

export interface FrameHeader {
	key: string;
	value: string;
}

export interface Frame {
	/** `SeqID`, field 1, uint64, required. */
	seqId: number;
	/** `LogID`, field 2, uint64, required. */
	logId: number;
	/** field 3, int32, required: the connection's service id. */
	service: number;
	/** field 4, int32, required: see FRAME_METHOD. */
	method: number;
	/** field 5. */
	headers: FrameHeader[];
	/** `payload_encoding`, field 6. */
	payloadEncoding?: string;
	/** `payload_type`, field 7. */
	payloadType?: string;
	/** field 8. */
	payload?: Uint8Array;
	/** `LogIDNew`, field 9. */
	logIdNew?: string;
}

export const FRAME_METHOD = { control: 0, data: 1 } as const;

/** Values of the `type` header. */
export const FRAME_TYPE = { event: 'event', card: 'card', ping: 'ping', pong: 'pong' } as const;

/** A required field or header part is missing. */
class FrameDecodeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FrameDecodeError';
	}
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

function tag(field: number, wireType: number): number {
	return (field << 3) | wireType;
}

/** A uint64 as a number, whether protobufjs runs with Long (tests load it) or without (the bundle). */
function uint64(reader: Reader): number {
	const value: unknown = reader.uint64();
	if (typeof value === 'number') return value;
	return (value as { toNumber(): number }).toNumber();
}

function decodeHeader(reader: Reader, length: number): FrameHeader {
	const end = reader.pos + length;
	let key: string | undefined;
	let value: string | undefined;
	while (reader.pos < end) {
		const next = reader.uint32();
		switch (next >>> 3) {
			case 1:
				key = reader.string();
				break;
			case 2:
				value = reader.string();
				break;
			default:
				reader.skipType(next & 7);
		}
	}
	if (key === undefined) throw new FrameDecodeError("a header has no 'key'");
	if (value === undefined) throw new FrameDecodeError(`header '${key}' has no 'value'`);
	return { key, value };
}

export type DecodedFrame = { ok: true; frame: Frame } | { ok: false; reason: string };

/** Reads one frame, or says why the bytes are not one (the caller drops and logs it). */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
	try {
		return { ok: true, frame: readFrame(Reader.create(bytes)) };
	} catch (error) {
		// protobufjs throws RangeError on truncated input ("index out of range").
		return { ok: false, reason: error instanceof FrameDecodeError ? error.message : `not a protobuf frame (${(error as Error).message})` };
	}
}

function readFrame(reader: Reader): Frame {
	const found: Partial<Frame> = {};
	const headers: FrameHeader[] = [];
	while (reader.pos < reader.len) {
		const next = reader.uint32();
		switch (next >>> 3) {
			case 1:
				found.seqId = uint64(reader);
				break;
			case 2:
				found.logId = uint64(reader);
				break;
			case 3:
				found.service = reader.int32();
				break;
			case 4:
				found.method = reader.int32();
				break;
			case 5:
				headers.push(decodeHeader(reader, reader.uint32()));
				break;
			case 6:
				found.payloadEncoding = reader.string();
				break;
			case 7:
				found.payloadType = reader.string();
				break;
			case 8:
				found.payload = reader.bytes();
				break;
			case 9:
				found.logIdNew = reader.string();
				break;
			default:
				reader.skipType(next & 7);
		}
	}
	for (const field of ['seqId', 'logId', 'service', 'method'] as const) {
		if (found[field] === undefined) throw new FrameDecodeError(`required field '${field}' is missing`);
	}
	return { ...(found as Frame), headers };
}

export function encodeFrame(frame: Frame): Uint8Array {
	const writer = Writer.create();
	writer.uint32(tag(1, WIRE_VARINT)).uint64(frame.seqId);
	writer.uint32(tag(2, WIRE_VARINT)).uint64(frame.logId);
	writer.uint32(tag(3, WIRE_VARINT)).int32(frame.service);
	writer.uint32(tag(4, WIRE_VARINT)).int32(frame.method);
	for (const header of frame.headers) {
		writer.uint32(tag(5, WIRE_LENGTH_DELIMITED)).fork();
		writer.uint32(tag(1, WIRE_LENGTH_DELIMITED)).string(header.key);
		writer.uint32(tag(2, WIRE_LENGTH_DELIMITED)).string(header.value);
		writer.ldelim();
	}
	if (frame.payloadEncoding !== undefined) writer.uint32(tag(6, WIRE_LENGTH_DELIMITED)).string(frame.payloadEncoding);
	if (frame.payloadType !== undefined) writer.uint32(tag(7, WIRE_LENGTH_DELIMITED)).string(frame.payloadType);
	if (frame.payload !== undefined) writer.uint32(tag(8, WIRE_LENGTH_DELIMITED)).bytes(frame.payload);
	if (frame.logIdNew !== undefined) writer.uint32(tag(9, WIRE_LENGTH_DELIMITED)).string(frame.logIdNew);
	return writer.finish();
}

/** The frame's headers as a record (a repeated key keeps its last value, as the SDK reads them). */
export function headerRecord(frame: Frame): Record<string, string> {
	const record: Record<string, string> = {};
	for (const header of frame.headers) record[header.key] = header.value;
	return record;
}
