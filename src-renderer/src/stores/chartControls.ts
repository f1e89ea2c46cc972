/**
 * The controls every scalar chart shares (as in TensorBoard): the x axis (step, epoch or wall time)
 * and the smoothing weight. Remembered across reloads.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { XAxis } from '../charts/scalars';

const KEY = 'ffr.chartControls';

function read(): { x: XAxis; smoothing: number } {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null') as { x?: unknown; smoothing?: unknown } | null;
    const x = v?.x === 'step' || v?.x === 'epoch' || v?.x === 'time' ? v.x : 'step';
    const smoothing = typeof v?.smoothing === 'number' && v.smoothing >= 0 && v.smoothing < 1 ? v.smoothing : 0.6;
    return { x, smoothing };
  } catch {
    return { x: 'step', smoothing: 0.6 };
  }
}

export const useChartControlsStore = defineStore('chartControls', () => {
  const initial = read();
  const x = ref<XAxis>(initial.x);
  const smoothing = ref(initial.smoothing);
  watch([x, smoothing], () => {
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ x: x.value, smoothing: smoothing.value }));
    } catch {
      /* storage disabled */
    }
  });
  return { x, smoothing };
});
