import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Jurisdictions, Matter } from '../api/client';
import { api } from '../api';

/** Names of units and matters, loaded once per sign-in (GET /v1/jurisdictions, GET /v1/matters). */
export const useReference = defineStore('reference', () => {
  const jurisdictions = ref<Jurisdictions | null>(null);
  const matters = ref<Matter[]>([]);
  let loading: Promise<void> | undefined;

  function load(): Promise<void> {
    return (loading ??= Promise.all([api.reference.jurisdictions(), api.reference.matters()]).then(([j, m]) => {
      jurisdictions.value = j;
      matters.value = m.items;
    }).catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
  }

  const names = computed(() => {
    const out = new Map<string, string>();
    for (const c of jurisdictions.value?.counties ?? []) {
      out.set(c.code, c.name);
      for (const t of c.townships) {
        out.set(t.code, t.name);
        for (const g of t.grids ?? []) out.set(g.code, g.name);
      }
      for (const d of c.departments) out.set(d.code, d.name);
    }
    return out;
  });
  const unitName = (code: string | undefined | null) => (code ? (names.value.get(code) ?? code) : '—');
  const matterName = (code: string | undefined | null) => (code ? (matters.value.find((m) => m.code === code)?.name ?? code) : '—');
  function reset() {
    loading = undefined;
    jurisdictions.value = null;
    matters.value = [];
  }
  return { jurisdictions, matters, load, unitName, matterName, reset };
});
