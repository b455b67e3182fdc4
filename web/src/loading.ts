import { ref } from 'vue';

/**
 * The state of a panel that loads from the API: `loading` while a load runs (for v-loading), `error` the
 * API's message when the last load failed, cleared by the next one that succeeds. Hand-written: fifteen
 * lines that every panel wrote out before; a library's async-state helper would hand back the error
 * object, not the message the panels show.
 */
export function useLoad() {
  const loading = ref(false);
  const error = ref('');
  async function load(fetch: () => Promise<void>): Promise<void> {
    loading.value = true;
    try {
      await fetch();
      error.value = '';
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }
  return { loading, error, load };
}
