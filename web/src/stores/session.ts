import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Claims } from '../../../api/claims';
import type { MeResponse } from '../../../api/session-schemas';
import { api } from '../api';
import { ApiError } from '../api/client';

/** Who is signed in (GET /v1/me with the session cookie). */
export const useSession = defineStore('session', () => {
  const me = ref<MeResponse | null>(null);
  const loaded = ref(false);
  const claims = computed<Claims | null>(() => me.value?.claims ?? null);

  async function load(): Promise<void> {
    try {
      me.value = await api.session.me();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      me.value = null;
    }
    loaded.value = true;
  }
  async function signIn(username: string, password: string): Promise<void> {
    await api.session.signIn(username, password);
    await load();
  }
  async function signOut(): Promise<void> {
    await api.session.signOut();
    me.value = null;
  }
  function forget(): void {
    me.value = null;
  }
  return { me, loaded, claims, load, signIn, signOut, forget };
});
