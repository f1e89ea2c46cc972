/**
 * Seeded weight initialization. Values are drawn in JavaScript from a per-weight seed (the run seed
 * and the weight's name), so the same seed gives bit-identical weights on every backend and a
 * weight's values do not depend on which other layers exist.
 */
import { Rng, hashString } from '../rng';
import { tf, type Variable } from '../tf';
import { inferShapes, isTrainableWeight, nodeWeightShapes, type ModelSpec } from '../../catalog/models/spec';

export type Params = Map<string, Variable>;

/** Initial values of every weight: He-normal kernels (fan-in), Glorot-uniform classifier, BN at identity. */
export function initialWeightValues(spec: ModelSpec, seed: number): Map<string, { shape: number[]; values: Float32Array }> {
  const shapes = inferShapes(spec);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const node of spec.nodes) {
    for (const [name, shape] of nodeWeightShapes(node, shapes)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      const rng = new Rng(hashString(`${seed}:${name}`));
      if (name.endsWith('/kernel')) {
        const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        const fanOut = shape[shape.length - 1]!;
        if (node.name === spec.output) {
          const limit = Math.sqrt(6 / (fanIn + fanOut));
          for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
        } else {
          const std = Math.sqrt(2 / fanIn);
          for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
        }
      } else if (name.endsWith('/gamma') || name.endsWith('/movingVariance')) {
        values.fill(1);
      }
      out.set(name, { shape, values });
    }
  }
  return out;
}

/** Fresh tf.Variables for a model. Running BN statistics are non-trainable variables. */
export function initParams(spec: ModelSpec, seed: number): Params {
  return paramsFromValues(initialWeightValues(spec, seed));
}

export function paramsFromValues(values: Map<string, { shape: number[]; values: Float32Array }>): Params {
  const params: Params = new Map();
  for (const [name, { shape, values: v }] of values) {
    params.set(name, variableFrom(v, shape, isTrainableWeight(name), `${name.replace(/[^A-Za-z0-9_.\-/]/g, '_')}_${variableSuffix()}`));
  }
  return params;
}

/** A variable holding a copy of `values`; the temporary tensor it was made from is released. */
export function variableFrom(values: Float32Array, shape: number[], trainable: boolean, name?: string): Variable {
  const initial = tf.tensor(values, shape, 'float32');
  const v = tf.variable(initial, trainable, name);
  initial.dispose();
  return v;
}

// tfjs variable names are global to the engine; several models (a run and its pruned child, or the
// CPU and WASM copies in a test) live in one process, so every variable gets a unique suffix.
let variableCounter = 0;
function variableSuffix(): string {
  variableCounter += 1;
  return String(variableCounter);
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
}

/** The trainable variables, in a stable order (for optimizers and gradient lists). */
export function trainableVariables(params: Params): Variable[] {
  return [...params.values()].filter((v) => v.trainable);
}

/** A copy of every weight's values, e.g. for checkpoints. */
export async function readWeights(params: Params): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, v] of params) out.set(name, { shape: [...v.shape], values: (await v.data()) as Float32Array });
  return out;
}

export function requireParam(params: Params, name: string): Variable {
  const v = params.get(name);
  if (!v) throw new Error(`The model has no weight "${name}".`);
  return v;
}
