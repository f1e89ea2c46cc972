import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
console.log(tf.getBackend(), tf.version_core);
const names = ['Conv2DBackpropFilter','Conv2DBackpropInput','DepthwiseConv2dNativeBackpropFilter','DepthwiseConv2dNativeBackpropInput','MaxPoolGrad','AvgPoolGrad','Tile','StridedSlice','FusedBatchNorm','Transpose','Pad','PadV2','BatchMatMul','Conv2D','DepthwiseConv2dNative','ReluGrad','Relu6Grad'];
for (const n of names) console.log(n, tf.getKernel(n, 'wasm') ? 'yes' : 'NO', tf.getKernel(n,'cpu')? 'cpu':'');
