import { onMounted, onUnmounted, ref } from 'vue';

/**
 * Live refresh by polling until the inbox stream (SSE, GET /v1/inbox/stream) exists: runs `load`
 * now and every `ms` while the page is visible.
 */
export function usePolling(load: () => Promise<unknown>, ms = 15_000) {
  let timer: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    if (document.visibilityState === 'visible') void load().catch(() => undefined);
  };
  onMounted(() => {
    void load().catch(() => undefined);
    timer = setInterval(tick, ms);
  });
  onUnmounted(() => clearInterval(timer));
}

/** The current time, ticking every `ms`, for countdowns. */
export function useNow(ms = 30_000) {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), ms)));
  onUnmounted(() => clearInterval(timer));
  return now;
}
