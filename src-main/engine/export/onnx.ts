/**
 * ONNX export (opset 13, IR version 8), written with protobufjs from onnx-schema.ts.
 *
 * The model takes NHWC float32 input named "input" ([N, h, w, c], N dynamic) like the workbench and
 * TF.js, and returns "logits" [N, classes]. Inside, ONNX's convolutions are NCHW, so the first node
 * transposes the input to NCHW and kernels are stored as [out, in, kh, kw]. Mapping:
 * conv2d → Conv (pads p,p,p,p; 'same' → auto_pad SAME_UPPER, tfjs's convention); batchnorm →
 * BatchNormalization (inference form); relu → Relu; maxpool → MaxPool; globalavgpool →
 * GlobalAveragePool + Flatten; flatten → Transpose back to NHWC + Flatten (keeps our NHWC flat order,
 * so dense kernels need no row permutation); dense → Gemm; add → Add; option-A shortcut → a fixed
 * 1×1 Conv with stride s and a 0/1 kernel (subsampling and channel placement in one exact op).
 */
import type { ModelSpec } from '../../catalog/models/spec';
import { INPUT, inferShapes } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import { ATTRIBUTE_TYPE, ModelProto, TENSOR_FLOAT } from './onnx-schema';
import { placementKernel } from './tfjs';

export const ONNX_OPSET = 13;
export const ONNX_FILE = 'model.onnx';

interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
  s?: Uint8Array;
}
interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Attribute[];
}
interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: values });
const int = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.INT, i: value });
const float = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });

function tensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  // Little-endian float32, as ONNX raw_data requires (Node runs on little-endian hosts).
  const copy = Float32Array.from(values);
  return { name, dims, dataType: TENSOR_FLOAT, rawData: new Uint8Array(copy.buffer) };
}

/** [kh, kw, in, out] → [out, in, kh, kw]. */
function toOIHW(shape: number[], v: Float32Array): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(v.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = v[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}

export function buildOnnxModel(spec: ModelSpec, weights: NamedValues): Uint8Array {
  const shapes = inferShapes(spec);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const own = (name: string): { shape: number[]; values: Float32Array } => {
    const w = weights.get(name);
    if (!w) throw new Error(`Export: the model has no weight "${name}".`);
    return w;
  };
  const add = (opType: string, name: string, input: string[], attribute: Attribute[] = []): string => {
    nodes.push({ opType, name, input, output: [name], attribute });
    return name;
  };
  const out = new Map<string, string>();
  out.set(INPUT, add('Transpose', 'input.nchw', [INPUT], [ints('perm', [0, 3, 1, 2])]));
  const src = (n: string): string => out.get(n)!;

  for (const node of spec.nodes) {
    switch (node.op) {
      case 'conv2d': {
        const k = own(`${node.name}/kernel`);
        initializers.push(tensor(`${node.name}/kernel`, [k.shape[3]!, k.shape[2]!, k.shape[0]!, k.shape[1]!], toOIHW(k.shape, k.values)));
        const inputs = [src(node.input), `${node.name}/kernel`];
        if (node.useBias) {
          initializers.push(tensor(`${node.name}/bias`, [node.filters], own(`${node.name}/bias`).values));
          inputs.push(`${node.name}/bias`);
        }
        const attrs = [ints('kernel_shape', [node.kernel, node.kernel]), ints('strides', [node.stride, node.stride])];
        if (node.padding === 'same') attrs.push({ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') });
        else {
          const p = node.padding === 'valid' ? 0 : node.padding;
          attrs.push(ints('pads', [p, p, p, p]));
        }
        out.set(node.name, add('Conv', node.name, inputs, attrs));
        break;
      }
      case 'batchnorm': {
        const names = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((s) => `${node.name}/${s}`);
        for (const n of names) initializers.push(tensor(n, own(n).shape, own(n).values));
        out.set(node.name, add('BatchNormalization', node.name, [src(node.input), ...names], [float('epsilon', node.epsilon)]));
        break;
      }
      case 'relu':
        out.set(node.name, add('Relu', node.name, [src(node.input)]));
        break;
      case 'maxpool':
        out.set(node.name, add('MaxPool', node.name, [src(node.input)], [ints('kernel_shape', [node.size, node.size]), ints('strides', [node.stride, node.stride])]));
        break;
      case 'globalavgpool': {
        const pooled = add('GlobalAveragePool', `${node.name}.pool`, [src(node.input)]);
        out.set(node.name, add('Flatten', node.name, [pooled], [int('axis', 1)]));
        break;
      }
      case 'flatten': {
        const rank = shapes.get(node.input)!.length;
        const nhwc = rank === 3 ? add('Transpose', `${node.name}.nhwc`, [src(node.input)], [ints('perm', [0, 2, 3, 1])]) : src(node.input);
        out.set(node.name, add('Flatten', node.name, [nhwc], [int('axis', 1)]));
        break;
      }
      case 'dense': {
        const k = own(`${node.name}/kernel`);
        initializers.push(tensor(`${node.name}/kernel`, k.shape, k.values));
        const inputs = [src(node.input), `${node.name}/kernel`];
        if (node.useBias) {
          initializers.push(tensor(`${node.name}/bias`, [node.units], own(`${node.name}/bias`).values));
          inputs.push(`${node.name}/bias`);
        }
        out.set(node.name, add('Gemm', node.name, inputs));
        break;
      }
      case 'add':
        out.set(node.name, add('Add', node.name, [src(node.inputs[0]), src(node.inputs[1])]));
        break;
      case 'shortcutA': {
        const cin = shapes.get(node.input)![2]!;
        const k = placementKernel(node.placement, cin, node.channels);
        initializers.push(tensor(`${node.name}/placement`, [node.channels, cin, 1, 1], toOIHW([1, 1, cin, node.channels], k)));
        out.set(node.name, add('Conv', node.name, [src(node.input), `${node.name}/placement`], [
          ints('kernel_shape', [1, 1]), ints('strides', [node.stride, node.stride]), ints('pads', [0, 0, 0, 0]),
        ]));
        break;
      }
    }
  }
  add('Identity', 'logits', [src(spec.output)]);
  const [h, w, c] = spec.inputShape;
  const dim = (v: number | string) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v });
  const valueInfo = (name: string, dims: Array<number | string>) => ({
    name,
    type: { tensorType: { elemType: TENSOR_FLOAT, shape: { dim: dims.map(dim) } } },
  });
  const model = {
    irVersion: 8,
    producerName: 'FFR Workbench',
    producerVersion: '0.1.0',
    modelVersion: 1,
    docString: `${spec.arch}: NHWC float32 input "input", logits "logits".`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: spec.arch,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(INPUT, ['N', h, w, c])],
      output: [valueInfo('logits', ['N', spec.classes])],
    },
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`Export: the ONNX model does not match the schema (${err}).`);
  return ModelProto.encode(ModelProto.create(model)).finish();
}
