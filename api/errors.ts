/** The error body of api.md: `{"error": {"code", "message", "details"}}`. */
export interface ErrorDetail {
  path: string;
  message: string;
}
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** An error a route throws on purpose; the app's error handler turns it into the api.md body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'outside your jurisdiction') => new HttpError(403, 'forbidden', message);
export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(400, 'bad_request', message, details);

export function errorBody(code: string, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}
