/**
 * `npx tsx bench/ffr-step-time.ts [--model lenet5] [--steps 20] [--aligns rank-pad,index-pad,gram]`
 * Time of the FFR regularizer's share of a training step (forward + backward of the penalty, batch 64)
 * per alignment, on the wasm backend, interleaved so machine-load drift hits all alike.
 */
import { selectBackend } from '../src-main/engine/backend/select';
import { buildModelSpec } from '../src-main/catalog/models/builders';
import { forward } from '../src-main/engine/models/forward';
import { initParams } from '../src-main/engine/models/init';
import { regularize } from '../src-main/engine/regularizers';
import { tf } from '../src-main/engine/tf';
import { DEFAULT_FFR, defaultRunConfig, type FfrAlign, type ModelName } from '../src-main/shared/run-config';
import { median, parseArgs } from './lib/args';

const args = parseArgs(process.argv.slice(2));
const model = (args.get('model') ?? 'lenet5') as ModelName;
const steps = Number(args.get('steps') ?? 20);
const aligns = (args.get('aligns') ?? 'none,rank-pad,index-pad,gram').split(',') as Array<FfrAlign | 'none'>;

async function main(): Promise<void> {
  await selectBackend('wasm');
  const shape: [number, number, number] = args.get('cifar') ? [32, 32, 3] : [28, 28, 1];
  const spec = buildModelSpec(model, { inputShape: shape, classes: 10, width: Number(args.get('width') ?? 1), shortcut: 'A' });
  const params = initParams(spec, 1);
  const trainable = [...params.values()].filter((v) => v.trainable);
  const x = tf.randomNormal([64, ...shape]) as tf.Tensor4D;
  const times = new Map<string, number[]>(aligns.map((a) => [a, []]));
  for (let i = 0; i < steps; i++) {
    for (const align of aligns) {
      const config = defaultRunConfig({ regularizer: align === 'none' ? 'none' : 'ffr', ffr: { ...DEFAULT_FFR, align: align === 'none' ? 'index-pad' : align } });
      const t0 = performance.now();
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const { logits, features } = forward(spec, params, x, { training: true });
          const reg = align === 'none' ? tf.scalar(0) : regularize(config, spec, params, features).penalty;
          return tf.add(tf.mean(logits), reg) as tf.Scalar;
        }, trainable);
        Object.values(grads).forEach((g) => g.dataSync());
      });
      times.get(align)!.push(performance.now() - t0);
    }
  }
  for (const [a, t] of times) console.log(`${model} ${a}: median step ${median(t.slice(2)).toFixed(1)} ms`);
}
void main();
