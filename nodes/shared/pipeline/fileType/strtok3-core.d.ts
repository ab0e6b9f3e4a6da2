// file-type's tokenizer library, bundled with it. Its "./core" entry (no Node built-ins)
// is declared through "exports", which this package's TypeScript resolution does not read.
declare module 'strtok3/core' {
	export * from 'strtok3/lib/core';
}
