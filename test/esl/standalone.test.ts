/**
 * esl/ could be published alone: its files import `node:*` built-ins and each other only, and the rest of
 * the repository reaches it through its barrel (esl/index.ts). ESLint enforces both (eslint.config.mjs);
 * this is a cheap second check that reads the sources themselves, so a relaxed lint rule cannot hide a
 * dependency.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The repository root, from test/esl or dist/test/esl. */
const ROOT = ((): string => {
  const up = path.resolve(__dirname, '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
})();
const ESL = path.join(ROOT, 'esl');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

type Source = { file: string; text: string };

const read = (files: readonly string[]): Source[] =>
  files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Every module a source names: imports, re-exports, `import()`, `require()`, `/// <reference types>`. */
function specifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...info.importedFiles, ...info.typeReferenceDirectives].map((f) => f.fileName);
}

const isRelative = (spec: string): boolean => spec.startsWith('./') || spec.startsWith('../');
const inside = (target: string, dir: string): boolean =>
  target === dir || target.startsWith(`${dir}${path.sep}`);

/** esl/'s own imports that are neither `node:*` nor a relative path staying inside esl/. */
function eslImportProblems(sources: readonly Source[]): string[] {
  return sources.flatMap(({ file, text }) =>
    specifiers(text)
      .filter((spec) =>
        isRelative(spec) ? !inside(path.resolve(path.dirname(file), spec), ESL) : !spec.startsWith('node:'),
      )
      .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
  );
}

/** Relative imports of other files that land in esl/ but not on esl/ itself or esl/index. */
function deepImportProblems(sources: readonly Source[]): string[] {
  const barrel = new Set([ESL, path.join(ESL, 'index')]);
  return sources.flatMap(({ file, text }) =>
    specifiers(text)
      .filter(isRelative)
      .filter((spec) => {
        const target = path.resolve(path.dirname(file), spec);
        return inside(target, ESL) && !barrel.has(target);
      })
      .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
  );
}

describe('esl/ stands alone', () => {
  it('when every esl/ file is read, then it imports only node:* built-ins and files inside esl/', () => {
    const files = tsFiles(ESL);
    expect(files.map((f) => path.basename(f))).to.include.members(['index.ts', 'client.ts', 'originate.ts']);
    expect(eslImportProblems(read(files))).to.deep.equal([]);
  });

  it('when every file outside esl/ is read, then none imports an esl/ file other than its barrel', () => {
    const files = ['src', 'test', 'bench', 'fake-switch'].flatMap((d) => tsFiles(path.join(ROOT, d)));
    expect(files.length).to.be.greaterThan(100);
    expect(deepImportProblems(read(files))).to.deep.equal([]);
  });

  it('when planted imports break the rules, then each one is reported', () => {
    const inEsl = {
      file: path.join(ESL, 'probe.ts'),
      text: [
        "import express from 'express';",
        "import { x } from '../src/config';",
        "export { y } from '../fake-switch/wire';",
        "const z = require('winston');",
        "import { EventEmitter } from 'node:events';",
        "import { EslError } from './errors';",
      ].join('\n'),
    };
    expect(eslImportProblems([inEsl])).to.deep.equal([
      'esl/probe.ts imports express',
      'esl/probe.ts imports ../src/config',
      'esl/probe.ts imports ../fake-switch/wire',
      'esl/probe.ts imports winston',
    ]);
    const outside = {
      file: path.join(ROOT, 'test', 'calls', 'probe.ts'),
      text: [
        "import { buildOriginate } from '../../esl/originate';",
        "const c = import('../../esl/client');",
        "import { EslClient } from '../../esl';",
        "import { EslError } from '../../esl/index';",
        "import { readWire } from '../esl/support/esl-capture';",
      ].join('\n'),
    };
    expect(deepImportProblems([outside])).to.deep.equal([
      'test/calls/probe.ts imports ../../esl/originate',
      'test/calls/probe.ts imports ../../esl/client',
    ]);
  });
});
