// The build: tsc type-checks, esbuild turns each entry point n8n loads into one
// CommonJS file (file-type and mime-types inlined, so the published package has no
// runtime dependencies), and the icons and codex file are copied next to them.
const path = require('path');
const { execFileSync } = require('child_process');
const { src, dest, series } = require('gulp');

const ENTRY_POINTS = {
	'nodes/DownloadMessageFile/DownloadMessageFile.node': 'nodes/DownloadMessageFile/DownloadMessageFile.node.ts',
	'nodes/GreenApiTrigger/GreenApiTrigger.node': 'nodes/GreenApiTrigger/GreenApiTrigger.node.ts',
	'nodes/DingTalkTrigger/DingTalkTrigger.node': 'nodes/DingTalkTrigger/DingTalkTrigger.node.ts',
	'nodes/SendMessage/SendMessage.node': 'nodes/SendMessage/SendMessage.node.ts',
	'nodes/FeishuTrigger/FeishuTrigger.node': 'nodes/FeishuTrigger/FeishuTrigger.node.ts',
	'credentials/DingTalkApi.credentials': 'credentials/DingTalkApi.credentials.ts',
	'credentials/GreenApi.credentials': 'credentials/GreenApi.credentials.ts',
	'credentials/FeishuApi.credentials': 'credentials/FeishuApi.credentials.ts',
};

function typecheck(done) {
	execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
	done();
}

/**
 * music-metadata imports bare 'strtok3', whose Node entry adds a file reader (node:fs);
 * its "core" entry has everything music-metadata's parsers use, without Node built-ins.
 */
const strtok3Core = {
	name: 'strtok3-core',
	setup(build) {
		build.onResolve({ filter: /^strtok3$/ }, () => ({ path: path.resolve(__dirname, 'node_modules/strtok3/lib/core.js') }));
	},
};

async function bundle() {
	await require('esbuild').build({
		entryPoints: ENTRY_POINTS,
		outdir: 'dist',
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		// n8n provides n8n-workflow; everything else the node uses is inlined.
		external: ['n8n-workflow'],
		// See build/shims/README.md: keeps the bundled libraries inside n8n's cloud rules.
		// music-metadata's "core" entry (no Node built-ins) is behind its "default" export condition, not "node".
		// long.js is aliased away: protobufjs then reads uint64 as numbers, as Feishu's SDK does.
		alias: {
			debug: './build/shims/debug.js',
			path: './build/shims/path.js',
			'music-metadata': './node_modules/music-metadata/lib/core.js',
			long: './build/shims/long.js',
		},
		inject: ['./build/shims/globals.js'],
		plugins: [strtok3Core],
		legalComments: 'inline',
		logLevel: 'warning',
		absWorkingDir: path.resolve(__dirname),
	});
}

function copyAssets() {
	// encoding: false keeps binary icons intact (gulp 5 reads files as UTF-8 by default).
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

/** The published entry point: index.js with its paths made relative to dist/. */
function writeEntryPoint(done) {
	const fs = require('fs');
	const source = fs.readFileSync('index.js', 'utf8').replace(/\.\/dist\//g, './');
	fs.writeFileSync('dist/index.js', source);
	done();
}

exports.typecheck = typecheck;
exports.bundle = bundle;
exports.build = series(typecheck, bundle, copyAssets, writeEntryPoint);
exports.default = exports.build;
