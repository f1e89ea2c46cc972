/**
 * The one tfjs instance of the process. Everything in the engine imports tf from here, so the
 * tensorflow (tfjs-node), wasm and cpu backends all register on the same engine.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
