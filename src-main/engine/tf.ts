/**
 * The one tfjs instance of the process. Everything in the engine imports tf from here, so the
 * tensorflow (tfjs-node), wasm and cpu backends all register on the same engine.
 */
import * as tf from '@tensorflow/tfjs';

// PROD silences tfjs's console hints (e.g. "install tfjs-node"), which would otherwise mix into
// the CLI's output, and skips debug-only checks.
tf.env().set('PROD', true);

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
