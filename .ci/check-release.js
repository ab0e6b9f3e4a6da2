#!/usr/bin/env node
'use strict';
// Checks that a release would go out as n8n requires, without publishing anything:
//   1. contents: the packed tarball holds exactly dist/ (as built), README.md, LICENSE,
//      CHANGELOG.md and package.json, and every file n8n loads (package.json's n8n section,
//      main) is in it; dist/ holds no stale bundle that no entry in package.json points to;
//   2. metadata: repository, bugs and homepage name one GitHub repository (npm refuses a
//      provenance statement whose repository.url is not the publishing repository), and the
//      n8n community keyword is there;
//   3. workflow: .github/workflows/publish.yml parses, is a valid GitHub Actions workflow
//      (action-validator: GitHub's workflow schema), runs on version tags, and its publishing
//      job has `id-token: write`, builds, lints and runs `npm publish --provenance` in that
//      order, after the job that runs `npm test`;
//   4. dry run: that very publish command, with --dry-run, on the tarball, succeeds.
//
//   node .ci/check-release.js <tarball.tgz> <unpacked folder>   (what .ci/scan-package.sh calls)
//   node .ci/check-release.js                                   (packs this folder itself)
//
// Prints one line per check and "release: N passed, N failed"; exit 1 when one failed.
// Needs dist/ built (npm run build).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const yaml = require('js-yaml');
const { validateWorkflow } = require('@action-validator/core');

const REPO = path.resolve(__dirname, '..');
const WORKFLOW = '.github/workflows/publish.yml';
/** Besides dist/, what the tarball must hold: npm's own files and the changelog. */
const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

function listFiles(root, dir = '') {
	const files = [];
	for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
		const relative = path.posix.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...listFiles(root, relative));
		else files.push(relative);
	}
	return files;
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...options });
	return { status: result.status, output: `${result.stdout || ''}${result.stderr || ''}`, error: result.error };
}

function packTarball() {
	const destination = fs.mkdtempSync(path.join(os.tmpdir(), 'check-release-'));
	const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', destination], { cwd: REPO });
	if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
	const tarball = path.join(destination, packed.output.trim().split('\n').pop());
	const unpacked = path.join(destination, 'package');
	const untar = run('tar', ['-xzf', tarball, '-C', destination]);
	if (untar.status !== 0) throw new Error(`could not unpack ${tarball}:\n${untar.output}`);
	return { tarball, unpacked, cleanup: () => fs.rmSync(destination, { recursive: true, force: true }) };
}

// 1. What the tarball holds.
function checkContents(unpacked) {
	const problems = [];
	const packed = new Set(listFiles(unpacked));
	const built = listFiles(path.join(REPO, 'dist')).map((file) => `dist/${file}`);
	const expected = new Set([...TOP_LEVEL_FILES, ...built]);
	for (const file of expected) if (!packed.has(file)) problems.push(`missing from the tarball: ${file}`);
	for (const file of packed) if (!expected.has(file)) problems.push(`in the tarball but not expected: ${file}`);

	const loaded = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? []), pkg.main];
	for (const file of loaded) if (!packed.has(file)) problems.push(`package.json points to ${file}, which is not in the tarball`);
	// A bundle in dist/ that nothing points to is left over from an older build (or a node
	// missing from package.json's n8n section): n8n would never load it.
	for (const file of built) {
		if (file.endsWith('.js') && !loaded.includes(file)) problems.push(`${file} is built but not listed in package.json's n8n section`);
	}
	return { name: 'contents', problems, detail: `${packed.size} files: dist/ (${built.length}), ${TOP_LEVEL_FILES.join(', ')}` };
}

// 2. package.json's links.
function checkMetadata() {
	const problems = [];
	const repositoryUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
	const match = /^(?:git\+)?https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(repositoryUrl ?? '');
	if (!match) {
		problems.push(`repository.url must be the GitHub repository (git+https://github.com/OWNER/NAME.git), is ${JSON.stringify(repositoryUrl)}`);
	} else {
		const web = `https://github.com/${match[1]}/${match[2]}`;
		const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
		if (bugs !== `${web}/issues`) problems.push(`bugs.url should be ${web}/issues, is ${JSON.stringify(bugs)}`);
		if (!String(pkg.homepage ?? '').startsWith(web)) problems.push(`homepage should be on ${web}, is ${JSON.stringify(pkg.homepage)}`);
	}
	if (!pkg.keywords?.includes('n8n-community-node-package')) problems.push('keywords lack n8n-community-node-package');
	if (!pkg.description) problems.push('description is empty');
	if (pkg.dependencies && Object.keys(pkg.dependencies).length) problems.push('runtime dependencies: n8n verifies only packages without any');
	return { name: 'metadata', problems, detail: repositoryUrl };
}

/** One line for a schema error: the innermost reasons, with where they are. */
function describeSchemaError(error) {
	const reasons = (error.states ?? []).flatMap((state) => state.errors.map(describeSchemaError));
	const own = `${error.path ?? (error.location ? `line ${error.location.line}` : '')}: ${error.detail ?? error.title}`;
	return reasons.length ? [...new Set(reasons)].join('; ') : own;
}

/** The run lines of a job's steps, in order. */
function runLines(job) {
	return (job.steps ?? []).flatMap((step) => String(step.run ?? '').split('\n').map((line) => line.trim()).filter(Boolean));
}

// 3. The release workflow. Returns the publish command for the dry run.
function checkWorkflow() {
	const problems = [];
	let workflow;
	const source = fs.readFileSync(path.join(REPO, WORKFLOW), 'utf8');
	try {
		workflow = yaml.load(source);
	} catch (error) {
		return { name: 'workflow', problems: [`${WORKFLOW} does not parse: ${error.message}`] };
	}
	for (const error of validateWorkflow(source).errors) problems.push(`not a valid workflow: ${describeSchemaError(error)}`);
	// js-yaml reads the key `on` as the string "on" (YAML 1.2 core schema), as GitHub does.
	const tags = workflow?.on?.push?.tags;
	if (!Array.isArray(tags) || tags.length === 0) problems.push('it does not run on pushed tags (on.push.tags)');
	if (workflow?.on?.push?.branches || workflow?.on?.pull_request) problems.push('it also runs on branches or pull requests: a release must come from a tag only');

	const jobs = Object.entries(workflow?.jobs ?? {});
	const publishing = jobs.filter(([, job]) => runLines(job).some((line) => /^npm publish\b/.test(line)));
	if (publishing.length !== 1) {
		problems.push(`expected one job that runs npm publish, found ${publishing.length}`);
		return { name: 'workflow', problems };
	}
	const [publishName, publishJob] = publishing[0];
	const lines = runLines(publishJob);
	const publishLine = lines.find((line) => /^npm publish\b/.test(line));
	if (publishJob.permissions?.['id-token'] !== 'write') problems.push(`job ${publishName} lacks permissions: id-token: write`);
	if (!/(^|\s)--provenance(\s|$)/.test(publishLine)) problems.push(`job ${publishName} publishes without --provenance: ${publishLine}`);
	if (/--dry-run/.test(publishLine)) problems.push(`job ${publishName} only dry-runs the publish`);
	const order = ['npm ci', 'npm run build', 'npm run lint'].map((command) => [command, lines.findIndex((line) => line.startsWith(command))]);
	const publishAt = lines.indexOf(publishLine);
	for (const [command, at] of order) {
		if (at === -1) problems.push(`job ${publishName} never runs ${command}`);
		else if (at > publishAt) problems.push(`job ${publishName} runs ${command} after npm publish`);
	}
	if (order[1][1] > order[2][1]) problems.push(`job ${publishName} lints before it builds (the lint checks dist/)`);

	const testJobs = jobs.filter(([, job]) => runLines(job).includes('npm test')).map(([name]) => name);
	const needs = [publishJob.needs ?? []].flat();
	if (testJobs.length === 0) problems.push('no job runs npm test');
	else if (!testJobs.some((name) => needs.includes(name) || name === publishName)) {
		problems.push(`job ${publishName} does not wait for the tests (needs: ${testJobs.join(' or ')})`);
	}
	return { name: 'workflow', problems, publishLine, detail: `tags ${JSON.stringify(tags)}; job ${publishName}: ${publishLine}` };
}

// 4. The workflow's own publish command, as a dry run of the packed tarball.
function checkDryRun(publishLine, tarball) {
	if (!publishLine) return { name: 'dry run', problems: ['no publish command to dry-run (see workflow)'] };
	const args = publishLine.split(/\s+/).slice(2); // after "npm publish"
	const result = run('npm', ['publish', ...args, '--dry-run', '--ignore-scripts', tarball], { cwd: REPO });
	const published = `+ ${pkg.name}@${pkg.version}`;
	const problems = [];
	if (result.error) problems.push(`npm publish --dry-run could not run: ${result.error.message}`);
	else if (result.status !== 0) problems.push(`npm publish --dry-run failed (exit ${result.status}):\n${result.output.trim()}`);
	else if (!result.output.includes(published)) problems.push(`npm publish --dry-run did not report ${published}:\n${result.output.trim()}`);
	return { name: 'dry run', problems, detail: `npm publish ${args.join(' ')} --dry-run ${path.basename(tarball)}` };
}

function main() {
	let [tarball, unpacked] = process.argv.slice(2);
	let cleanup = () => {};
	if (!tarball) ({ tarball, unpacked, cleanup } = packTarball());
	if (!fs.existsSync(path.join(REPO, 'dist'))) {
		console.error('[check-release] dist/ is missing: run npm run build first');
		process.exit(1);
	}
	try {
		const workflow = checkWorkflow();
		const results = [checkContents(unpacked), checkMetadata(), workflow, checkDryRun(workflow.publishLine, tarball)];
		let passed = 0;
		for (const { name, problems, detail } of results) {
			if (problems.length === 0) {
				passed++;
				console.log(`${name}: ok${detail ? ` (${detail})` : ''}`);
			} else {
				console.log(`${name}: FAILED\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
			}
		}
		const failed = results.length - passed;
		console.log(`release: ${passed} passed, ${failed} failed`);
		process.exitCode = failed ? 1 : 0;
	} finally {
		cleanup();
	}
}

main();
