import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedOutcomes,
  importNodeCors,
  loadVectors,
  runNodeVectors,
  runPythonVectors,
  writeLambda,
  type Outcome,
  type RenderedLambda,
} from '../support/lambda-harness.js';

const vectors = loadVectors();

describe('test vectors', () => {
  it('cover at least 60 cases with unique names', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });
});

describe.each([
  ['Node', 'nodejs22.x'],
  ['Python', 'python3.12'],
] as const)('the rendered %s wrapper', (label, runtime) => {
  let lambda: RenderedLambda;
  let results: Outcome[][];

  beforeAll(async () => {
    lambda = writeLambda(runtime);
    results =
      label === 'Node'
        ? await runNodeVectors(await importNodeCors(lambda.dir), vectors)
        : runPythonVectors(lambda.dir, vectors);
  });
  afterAll(() => lambda.cleanup());

  it('answers every vector', () => {
    expect(results).toHaveLength(vectors.length);
  });

  it.each(vectors.map((v, i) => [v.name, i] as const))('%s', (_name, i) => {
    expect(results[i]).toEqual(expectedOutcomes(vectors[i]!));
  });
});
