import { onMounted, onUnmounted, ref } from 'vue';

/** True on a phone-sized screen (grid members report from the field): lists become cards. */
export function useNarrow(maxWidth = 768) {
  const query = window.matchMedia(`(max-width: ${maxWidth}px)`);
  const narrow = ref(query.matches);
  const update = () => (narrow.value = query.matches);
  onMounted(() => query.addEventListener('change', update));
  onUnmounted(() => query.removeEventListener('change', update));
  return narrow;
}
