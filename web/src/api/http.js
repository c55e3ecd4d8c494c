// The only module that talks HTTP to the API: JSON in and out, errors as ApiError.

/** An answer of the API that is not a success, in the API's own words. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: the network failed)
   * @param {string} code the API's error code, e.g. "invalid_request"
   * @param {string} message what is wrong, for a person
   * @param {number|null} retryAfterS seconds to wait (429), when the API said
   */
  constructor(status, code, message, retryAfterS = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

/** @type {Set<(error: ApiError) => void>} */
const unauthenticatedListeners = new Set();

/**
 * Called whenever a request answers 401 (the session ended or expired).
 * @param {(error: ApiError) => void} listener
 * @returns {() => void} unsubscribe
 */
export function onUnauthenticated(listener) {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/**
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
async function errorOf(response) {
  let code = "http_error";
  let message = `the server answered ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") code = body.error;
    if (body && typeof body.message === "string") message = body.message;
  } catch {
    // not JSON (a proxy's page): keep the generic words
  }
  const retry = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null);
}

/**
 * One JSON request to the API (same origin, cookie session).
 * @param {"GET"|"POST"|"PUT"|"DELETE"} method
 * @param {string} path e.g. "/api/jobs"
 * @param {unknown} [body]
 * @param {{signal?: AbortSignal}} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, body, options = {}) {
  /** @type {RequestInit} */
  const init = { method, credentials: "same-origin", headers: {}, signal: options.signal };
  if (method !== "GET") {
    // State-changing requests must be JSON (the API's cross-site defence), even without a body.
    init.headers = { "Content-Type": "application/json" };
    init.body = body === undefined ? "{}" : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "network", "the server cannot be reached; check your connection and try again");
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.status === 401) for (const listener of unauthenticatedListeners) listener(error);
    throw error;
  }
  return response.json();
}

/**
 * PUT a file to a signed upload URL with the exact headers the API named, reporting progress.
 * XMLHttpRequest, because fetch cannot report upload progress.
 * @param {{url: string, method: string, headers: Record<string, string>}} upload
 * @param {Blob} file
 * @param {(fraction: number) => void} onProgress
 * @param {AbortSignal} [signal]
 * @returns {Promise<void>}
 */
export function putFile(upload, file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [key, value] of Object.entries(upload.headers)) {
      // The browser sets Content-Length itself; the range header is GCS's check of the size.
      if (key.toLowerCase() !== "content-length") xhr.setRequestHeader(key, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError(xhr.status, "upload_failed", `the upload was refused (${xhr.status})`));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload was interrupted; try again"));
    xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(file);
  });
}
