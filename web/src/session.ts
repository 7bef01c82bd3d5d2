// session.ts: who is signed in. The party's token lives in this tab's sessionStorage only (never
// localStorage, never a cookie, never a URL): closing the tab signs out.
import { Api, ApiError } from './api/client';

const kTokenKey = 'deconflict.token';

/** The signed-in party as GET /v1/me names it, with the client that carries its token. */
export interface Session {
  party: string;
  role: string;
  token: string;
  api: Api;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(kTokenKey);
}

/** Asks GET /v1/me who the token is; keeps the token only when the server accepts it. */
export async function signIn(token: string): Promise<Session> {
  const api = new Api(token);
  const me = await api.call('get', '/v1/me');
  if (!me.party || !me.role) {
    throw new ApiError(200, 'GET /v1/me answered without a party or role');
  }
  sessionStorage.setItem(kTokenKey, token);
  return { party: me.party, role: me.role, token, api };
}

export function forgetToken(): void {
  sessionStorage.removeItem(kTokenKey);
}
