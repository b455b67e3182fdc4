import { createApiClient } from './client';

/** The console's client: same origin, the session cookie; a 401 sends the person to sign in. */
export const api = createApiClient({
  onUnauthorized: () => {
    window.dispatchEvent(new CustomEvent('session-ended'));
  },
});
