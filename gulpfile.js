// Build steps that are not tsc: icons into dist/, and bundling the node so the
// published package has no runtime dependencies (file-type and mime-types are inlined).
const path = require('path');
const { execFileSync } = require('child_process');
const { src, dest, series } = require('gulp');

function compile(done) {
	execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
	done();
}

function copyAssets() {
	// encoding: false keeps binary icons intact (gulp 5 reads files as UTF-8 by default).
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

async function bundle() {
	const esbuild = require('esbuild');
	const entryPoints = [
		'dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js',
		'dist/credentials/DingTalkApi.credentials.js',
		'dist/credentials/GreenApi.credentials.js',
	];
	for (const entry of entryPoints) {
		await esbuild.build({
			entryPoints: [entry],
			outfile: entry,
			allowOverwrite: true,
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			// n8n provides n8n-workflow; everything else the node uses is inlined.
			external: ['n8n-workflow'],
			sourcemap: false,
			legalComments: 'inline',
			logLevel: 'warning',
			absWorkingDir: path.resolve(__dirname),
		});
	}
}

exports.compile = compile;
exports.bundle = bundle;
exports.build = series(compile, copyAssets, bundle);
exports.default = exports.build;
