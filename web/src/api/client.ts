// api/client.ts: the typed fetch wrapper every pane uses. Paths, parameters, bodies and answers
// are typed from schema.d.ts, generated from ../src/api/openapi.json by `npm run schema`: a
// route or field that changes on the server breaks `tsc`, not the user.
//
//   const me = await api.call('get', '/v1/me');
//   await api.call('post', '/v1/channels/{id}/messages', { path: { id }, body: message });
//
// Errors: ApiError carries the server's JSON error verbatim (its `message`, `code`, `field`) or,
// when the answer is not the API's error shape, the HTTP status line.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Method = 'get' | 'post' | 'put' | 'delete';

type OperationOf<P extends keyof paths, M extends Method> = Extract<
  paths[P][M],
  { responses: unknown }
>;
/** The paths that have an operation for method M. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: OperationOf<P, M> extends never ? never : P;
}[keyof paths];

type ContentOf<R> = R extends { content: infer C }
  ? C extends Record<string, unknown>
    ? C[keyof C]
    : never
  : never;
type SuccessOf<O> = O extends { responses: infer R }
  ? ContentOf<R[Extract<keyof R, 200 | 201>]>
  : never;
type ParamsOf<O> = O extends { parameters: infer P } ? P : never;
type PathParamsOf<O> = ParamsOf<O> extends { path: infer X } ? X : undefined;
type QueryOf<O> = ParamsOf<O> extends { query?: infer Q } ? Q : undefined;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B | undefined
    : undefined;

export interface CallOptions<O> {
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
}

/** The answer of a successful call: its body typed from the document. */
export type Answer<P extends keyof paths, M extends Method> = SuccessOf<OperationOf<P, M>>;

type ErrorBody = Schemas['ErrorBody'];

/** A refused or failed call. `message` is the server's, verbatim, when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: ErrorBody['code'],
    readonly field?: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(v: unknown): v is { error: ErrorBody } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e: unknown = v.error;
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string';
}

function entries(params: unknown): [string, unknown][] {
  return typeof params === 'object' && params !== null ? Object.entries(params) : [];
}

function urlOf(template: string, path: unknown, query: unknown): string {
  let url = template;
  for (const [name, value] of entries(path)) {
    url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
  }
  const params = new URLSearchParams();
  for (const [name, value] of entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const q = params.toString();
  return q ? `${url}?${q}` : url;
}

export class Api {
  constructor(private readonly token: string) {}

  /** Calls `method path` with the bearer token. Throws ApiError for any non-2xx answer. */
  async call<M extends Method, P extends PathWith<M>>(
    method: M,
    path: P,
    options: CallOptions<OperationOf<P, M>> = {},
  ): Promise<Answer<P, M>> {
    const text = await this.send(method, urlOf(path, options.path, options.query), options.body);
    // Trusting the document here is the point of generating the types from it.
    return (text ? JSON.parse(text) : undefined) as Answer<P, M>;
  }

  /** GET of an answer that is text, not JSON (the ledger's signed checkpoint note). */
  async text<P extends PathWith<'get'>>(
    path: P,
    options: Omit<CallOptions<OperationOf<P, 'get'>>, 'body'> = {},
  ): Promise<string> {
    return this.send('get', urlOf(path, options.path, options.query), undefined);
  }

  private async send(method: Method, url: string, body: unknown): Promise<string> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    const init: RequestInit = { method: method.toUpperCase(), headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    if (response.ok) return text;
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (isErrorBody(json)) {
      const e = json.error;
      throw new ApiError(response.status, e.message, e.code, e.field, json);
    }
    const line = `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, text ? `${line}: ${text}` : line);
  }
}

/** The text to show for an error: the server's message verbatim, with the field it names. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.field ? `${e.message} (field: ${e.field})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
