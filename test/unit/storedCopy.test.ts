// How the node opens what n8n stored (pipeline/storedCopy.ts): the base64 text of the
// default (memory) mode decoded a slice at a time, the stream of the other modes through
// `getBinaryStream`, and nothing (the head's decision stands) where a context lacks it.
import { Readable } from 'stream';
import type { IBinaryData } from 'n8n-workflow';

import type { MessengerContext } from '../../nodes/shared/messengers/types';
import { openStoredCopy } from '../../nodes/shared/pipeline/storedCopy';

const bytes = Buffer.from(Array.from({ length: 1_000_003 }, (_, index) => (index * 7) % 256));

async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ whole: Buffer; sizes: number[] }> {
	const parts: Buffer[] = [];
	for await (const chunk of chunks) parts.push(Buffer.from(chunk));
	return { whole: Buffer.concat(parts), sizes: parts.map((part) => part.length) };
}

const contextWith = (helpers: Record<string, unknown>) => ({ helpers }) as unknown as MessengerContext;

test('default (memory) mode: the base64 text, decoded in slices, gives the bytes back exactly', async () => {
	const binary = { data: bytes.toString('base64'), mimeType: 'application/octet-stream' } as IBinaryData;
	const copy = await openStoredCopy(contextWith({}), binary);
	const { whole, sizes } = await collect(copy!.chunks);
	expect(whole.equals(bytes)).toBe(true);
	// Never the whole file in one piece.
	expect(Math.max(...sizes)).toBeLessThanOrEqual(192 * 1024);
});

test('filesystem / database / S3 modes: the stream n8n gives for the id, closed afterwards', async () => {
	const stream = Readable.from([bytes.subarray(0, 500_000), bytes.subarray(500_000)]);
	const asked: string[] = [];
	const context = contextWith({
		getBinaryStream: async (id: string) => {
			asked.push(id);
			return stream;
		},
	});
	const copy = await openStoredCopy(context, { id: 'filesystem-v2:workflows/1/executions/2/binary_data/abc', data: 'filesystem-v2', mimeType: 'x/y' } as IBinaryData);
	const { whole } = await collect(copy!.chunks);
	expect(whole.equals(bytes)).toBe(true);
	expect(asked).toEqual(['filesystem-v2:workflows/1/executions/2/binary_data/abc']);
	copy!.close();
	expect(stream.destroyed).toBe(true);
});

test('a context without getBinaryStream: nothing to read, no error', async () => {
	expect(await openStoredCopy(contextWith({}), { id: 'database:1', data: 'database', mimeType: 'x/y' } as IBinaryData)).toBeUndefined();
});

test('a binary with neither id nor data: nothing to read', async () => {
	expect(await openStoredCopy(contextWith({}), { data: '', mimeType: 'x/y' } as IBinaryData)).toBeUndefined();
});
