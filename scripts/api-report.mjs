#!/usr/bin/env node
// The public API as consumers get it: every name exported by the package root, with its kind and its declaration as
// the built .d.ts holds it (after stripInternal), sorted, in etc/cdk8s-tetragon.api.md. A change of the public surface
// then shows up in review as a change of that file.
//
// Usage: node scripts/api-report.mjs [--check]   (after `npm run build`)
//   without --check: writes the report;
//   --check: fails when the report differs from the committed one, when a declaration refers to a type the root does
//   not export, or when a public declaration has a `_`-prefixed member (an @internal member that stripInternal missed).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');
const ENTRY = join(root, 'build', 'lib', 'index.d.ts');
const REPORT = join(root, 'etc', 'cdk8s-tetragon.api.md');
const check = process.argv.includes('--check');

if (!existsSync(ENTRY)) {
  console.error(`api-report: ${relative(root, ENTRY)} is missing; run npm run build first`);
  process.exit(2);
}

const program = ts.createProgram([ENTRY], { skipLibCheck: true, types: [], noEmit: true });
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
const ownFile = (file) => file.startsWith(join(root, 'build') + '/');
const entry = program.getSourceFile(ENTRY);
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(entry));
const resolveAlias = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const publicSymbols = new Set();
/** What consumers can name: the root's exports, and the members of exported namespaces (the generated CRD classes). */
function addPublic(symbol) {
  const target = resolveAlias(symbol);
  if (publicSymbols.has(target)) return;
  publicSymbols.add(target);
  if (target.flags & ts.SymbolFlags.ValueModule) for (const member of checker.getExportsOfModule(target)) addPublic(member);
}
exported.forEach(addPublic);

const KINDS = [
  [ts.SyntaxKind.ClassDeclaration, 'class'],
  [ts.SyntaxKind.InterfaceDeclaration, 'interface'],
  [ts.SyntaxKind.EnumDeclaration, 'enum'],
  [ts.SyntaxKind.TypeAliasDeclaration, 'type'],
  [ts.SyntaxKind.FunctionDeclaration, 'function'],
  [ts.SyntaxKind.VariableDeclaration, 'const'],
  [ts.SyntaxKind.SourceFile, 'namespace'],
  [ts.SyntaxKind.ModuleDeclaration, 'namespace'],
  [ts.SyntaxKind.NamespaceExport, 'namespace'],
];
const kindOf = (decl) => KINDS.find(([k]) => k === decl.kind)?.[1] ?? ts.SyntaxKind[decl.kind];

/** The declaration text without comments; a variable is shown with its statement (`declare const X: T`). */
function print(decl) {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return printer.printNode(ts.EmitHint.Unspecified, node, decl.getSourceFile()).trim();
}

const forgotten = new Map();
const internal = [];
/** Types a public declaration names that the root does not export (consumers could not name them). */
function collectForgotten(name, node) {
  const visit = (n) => {
    if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n) || ts.isTypeQueryNode(n)) {
      const target = ts.isTypeReferenceNode(n) ? n.typeName : ts.isTypeQueryNode(n) ? n.exprName : n.expression;
      const symbol = checker.getSymbolAtLocation(target);
      const resolved = symbol && resolveAlias(symbol);
      const decl = resolved?.declarations?.[0];
      const isTypeParameter = decl && ts.isTypeParameterDeclaration(decl);
      if (
        decl &&
        !isTypeParameter &&
        ownFile(decl.getSourceFile().fileName) &&
        !publicSymbols.has(resolved) &&
        !(resolved.flags & ts.SymbolFlags.EnumMember) &&
        !publicSymbols.has(resolved.parent)
      ) {
        const list = forgotten.get(resolved.name) ?? new Set();
        list.add(name);
        forgotten.set(resolved.name, list);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
}

/** Members named `_x`: stripInternal keeps @internal members out, so any left here is public by mistake. */
function collectInternal(name, decl) {
  if (!ts.isClassDeclaration(decl) && !ts.isInterfaceDeclaration(decl)) return;
  for (const member of decl.members) {
    const memberName = member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;
    if (memberName?.startsWith('_')) internal.push(`${name}.${memberName}`);
  }
}

const sections = [];
const counts = {};
for (const symbol of [...exported].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
  const target = resolveAlias(symbol);
  const decls = target.declarations ?? [];
  const kind = decls.length ? kindOf(decls[0]) : 'unknown';
  counts[kind] = (counts[kind] ?? 0) + 1;
  let body;
  if (kind === 'namespace') {
    // A namespace of generated CRD classes (the escape hatch): its members by name only.
    body = `namespace ${symbol.name} {\n${checker
      .getExportsOfModule(target)
      .map((s) => `  ${s.name}`)
      .sort()
      .join('\n')}\n}`;
  } else {
    body = decls.map(print).join('\n');
    for (const d of decls) {
      collectForgotten(symbol.name, d);
      collectInternal(symbol.name, d);
    }
  }
  sections.push(`## ${symbol.name} (${kind})\n\n\`\`\`ts\n${body}\n\`\`\`\n`);
}

const summary = Object.entries(counts)
  .sort()
  .map(([k, n]) => `${n} ${k}`)
  .join(', ');
const report = [
  '# cdk8s-tetragon: public API',
  '',
  '<!-- Generated by scripts/api-report.mjs from build/lib/index.d.ts; do not edit. After a change to the public surface:',
  '     npm run build && npm run api:report, and commit this file. -->',
  '',
  `${exported.length} exports: ${summary}.`,
  '',
  ...sections,
].join('\n');

const problems = [];
for (const [type, users] of [...forgotten].sort()) {
  problems.push(`${type} is used by ${[...users].sort().join(', ')} but not exported from lib/index.ts`);
}
for (const member of internal.sort()) problems.push(`${member} is public: mark it @internal (stripInternal then drops it) or rename it`);

if (check) {
  const committed = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
  if (committed !== report) {
    problems.push(`${relative(root, REPORT)} differs from the built API: run npm run build && npm run api:report, review and commit it`);
  }
  if (problems.length) {
    console.error(`api-report: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(`api-report: ${relative(root, REPORT)} matches the built API (${exported.length} exports)`);
} else {
  writeFileSync(REPORT, report);
  console.log(`api-report: wrote ${relative(root, REPORT)} (${exported.length} exports: ${summary})`);
  for (const p of problems) console.warn(`api-report: ${p}`);
}
