/**
 * TF.js LayersModel export: model.json (Keras functional topology, written by hand from the
 * ModelSpec) plus one float32 weight shard. Loads with `tf.loadLayersModel` in a plain
 * `@tensorflow/tfjs` process (file URL in Node via a small IOHandler, or fromMemory).
 *
 * Mapping:
 * - conv2d with symmetric numeric padding → ZeroPadding2D + Conv2D('valid'): TF's 'same' pads
 *   asymmetrically for stride 2, which is not our symmetric padding; 'same' stays 'same'.
 * - batchnorm → BatchNormalization(axis −1) with gamma/beta/moving_mean/moving_variance.
 * - relu → Activation('relu'); maxpool → MaxPooling2D; globalavgpool → GlobalAveragePooling2D;
 *   flatten → Flatten (NHWC order, the same as ours); dense → Dense; add → Add.
 * - option-A shortcut → AveragePooling2D(pool 1, stride s) (= x[:, ::s, ::s, :]) followed by a fixed,
 *   non-trainable 1×1 Conv2D without bias whose 0/1 kernel puts input channel i at output channel
 *   placement[i]. This handles any placement (pruned shortcuts are not contiguous), and multiplying
 *   by 1 and adding zeros is exact in float32. Those kernels are in the shard but are not learned
 *   parameters; the reported parameter count is the model's own.
 */
import type { LayerNode, ModelSpec } from '../../catalog/models/spec';
import { INPUT, inferShapes } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';

export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
  name: string;
  inbound_nodes: Array<Array<[string, number, number, Record<string, never>]>>;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsArtifacts {
  modelJson: {
    format: 'layers-model';
    generatedBy: string;
    convertedBy: null;
    modelTopology: Record<string, unknown>;
    weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  };
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

export function buildTfjsModel(spec: ModelSpec, weights: NamedValues): TfjsArtifacts {
  const shapes = inferShapes(spec);
  const layers: KerasLayer[] = [];
  const specs: WeightSpec[] = [];
  const chunks: Float32Array[] = [];
  const addWeight = (name: string, shape: number[], values: Float32Array): void => {
    specs.push({ name, shape, dtype: 'float32' });
    chunks.push(values);
  };
  const own = (name: string): { shape: number[]; values: Float32Array } => {
    const w = weights.get(name);
    if (!w) throw new Error(`Export: the model has no weight "${name}".`);
    return w;
  };
  const layer = (className: string, name: string, config: Record<string, unknown>, inputs: string[]): string => {
    layers.push({
      class_name: className,
      config: { name, trainable: true, ...config },
      name,
      inbound_nodes: [inputs.map((i): [string, number, number, Record<string, never>] => [i, 0, 0, {}])],
    });
    return name;
  };
  const [h, w, c] = spec.inputShape;
  layers.push({
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, h, w, c], dtype: 'float32', sparse: false, name: INPUT },
    name: INPUT,
    inbound_nodes: [],
  });
  // The Keras layer that produces each of our nodes' outputs.
  const out = new Map<string, string>([[INPUT, INPUT]]);
  const src = (name: string): string => out.get(name)!;
  const linear = { activation: 'linear', kernel_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} } };

  for (const node of spec.nodes as LayerNode[]) {
    switch (node.op) {
      case 'conv2d': {
        let input = src(node.input);
        let padding: 'same' | 'valid' = 'valid';
        if (node.padding === 'same') padding = 'same';
        else if (typeof node.padding === 'number' && node.padding > 0) {
          const p = node.padding;
          input = layer('ZeroPadding2D', `${node.name}.pad`, { padding: [[p, p], [p, p]], data_format: 'channels_last' }, [input]);
        }
        out.set(node.name, layer('Conv2D', node.name, {
          filters: node.filters, kernel_size: [node.kernel, node.kernel], strides: [node.stride, node.stride], padding,
          data_format: 'channels_last', dilation_rate: [1, 1], use_bias: node.useBias, ...linear,
        }, [input]));
        addWeight(`${node.name}/kernel`, own(`${node.name}/kernel`).shape, own(`${node.name}/kernel`).values);
        if (node.useBias) addWeight(`${node.name}/bias`, own(`${node.name}/bias`).shape, own(`${node.name}/bias`).values);
        break;
      }
      case 'batchnorm':
        out.set(node.name, layer('BatchNormalization', node.name, { axis: -1, momentum: node.momentum, epsilon: node.epsilon, center: true, scale: true }, [src(node.input)]));
        for (const [ours, keras] of [['gamma', 'gamma'], ['beta', 'beta'], ['movingMean', 'moving_mean'], ['movingVariance', 'moving_variance']] as const) {
          const v = own(`${node.name}/${ours}`);
          addWeight(`${node.name}/${keras}`, v.shape, v.values);
        }
        break;
      case 'relu':
        out.set(node.name, layer('Activation', node.name, { activation: 'relu' }, [src(node.input)]));
        break;
      case 'maxpool':
        out.set(node.name, layer('MaxPooling2D', node.name, { pool_size: [node.size, node.size], strides: [node.stride, node.stride], padding: 'valid', data_format: 'channels_last' }, [src(node.input)]));
        break;
      case 'globalavgpool':
        out.set(node.name, layer('GlobalAveragePooling2D', node.name, { data_format: 'channels_last' }, [src(node.input)]));
        break;
      case 'flatten':
        out.set(node.name, layer('Flatten', node.name, {}, [src(node.input)]));
        break;
      case 'dense':
        out.set(node.name, layer('Dense', node.name, { units: node.units, use_bias: node.useBias, ...linear }, [src(node.input)]));
        addWeight(`${node.name}/kernel`, own(`${node.name}/kernel`).shape, own(`${node.name}/kernel`).values);
        if (node.useBias) addWeight(`${node.name}/bias`, own(`${node.name}/bias`).shape, own(`${node.name}/bias`).values);
        break;
      case 'add':
        out.set(node.name, layer('Add', node.name, {}, [src(node.inputs[0]), src(node.inputs[1])]));
        break;
      case 'shortcutA': {
        let input = src(node.input);
        if (node.stride !== 1) {
          input = layer('AveragePooling2D', `${node.name}.subsample`, { pool_size: [1, 1], strides: [node.stride, node.stride], padding: 'valid', data_format: 'channels_last' }, [input]);
        }
        const cin = shapes.get(node.input)![2]!;
        const kernel = placementKernel(node.placement, cin, node.channels);
        out.set(node.name, layer('Conv2D', node.name, {
          filters: node.channels, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last',
          dilation_rate: [1, 1], use_bias: false, ...linear, trainable: false,
        }, [input]));
        addWeight(`${node.name}/kernel`, [1, 1, cin, node.channels], kernel);
        break;
      }
    }
  }
  const total = chunks.reduce((s, ch) => s + ch.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const ch of chunks) {
    data.set(ch, offset);
    offset += ch.length;
  }
  const modelTopology = {
    class_name: 'Model',
    config: {
      name: spec.arch,
      layers,
      input_layers: [[INPUT, 0, 0]],
      output_layers: [[src(spec.output), 0, 0]],
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'FFR Workbench',
      convertedBy: null,
      modelTopology,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
    },
    weightSpecs: specs,
    weightData: data.buffer,
  };
}

/** The 0/1 kernel [1, 1, cin, cout] of an option-A shortcut: input i → output placement[i]. */
export function placementKernel(placement: number[], cin: number, cout: number): Float32Array {
  const k = new Float32Array(cin * cout);
  placement.forEach((to, from) => (k[from * cout + to] = 1));
  return k;
}
