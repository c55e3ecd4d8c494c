// The API's routes as functions (docs/api.md). Views and controllers call these, never fetch.
import { putFile, request } from "./http.js";

/**
 * @typedef {{project: string, emulator_host?: string, token?: string, custom_token?: string,
 *   api_key?: string, app_id?: string}} FirestoreAccess
 */
/** @typedef {{uid: string, firestore: FirestoreAccess}} Session */

export const auth = {
  /** @returns {Promise<Session>} */
  login: (/** @type {string} */ name, /** @type {string} */ password) =>
    request("POST", "/api/auth/login", { name, password }),
  logout: () => request("POST", "/api/auth/logout"),
  /** @returns {Promise<Session>} */
  me: () => request("GET", "/api/auth/me"),
};

export const media = {
  /** @returns {Promise<{media: any[]}>} */
  list: () => request("GET", "/api/media"),
  /**
   * Ask for an upload URL, PUT the bytes, then have the server validate them.
   * @param {File} file
   * @param {(fraction: number) => void} onProgress
   * @param {AbortSignal} [signal]
   * @returns {Promise<any>} the ready media item
   */
  async upload(file, onProgress, signal) {
    const ticket = await request("POST", "/api/media/uploads", {
      filename: file.name,
      content_type: file.type || guessType(file.name),
      size_bytes: file.size,
    });
    await putFile(ticket.upload, file, onProgress, signal);
    const done = await request("POST", `/api/media/${ticket.media_id}/register`);
    return done.media;
  },
  remove: (/** @type {string} */ id) => request("DELETE", `/api/media/${id}`),
};

/** @param {string} name */
function guessType(name) {
  const ext = name.toLowerCase().split(".").pop() || "";
  /** @type {Record<string, string>} */
  const types = {
    jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic",
    heif: "image/heif", mp3: "audio/mpeg", wav: "audio/wav", m4a: "audio/mp4", aac: "audio/aac",
    ogg: "audio/ogg", flac: "audio/flac",
  };
  return types[ext] || "application/octet-stream";
}

export const jobs = {
  /** @param {Record<string, unknown>} body @returns {Promise<{job: any}>} */
  create: (body) => request("POST", "/api/jobs", body),
  /** @returns {Promise<{jobs: any[], next_cursor: string|null}>} */
  list: (limit = 20) => request("GET", `/api/jobs?limit=${limit}`),
  /** @returns {Promise<{job: any}>} */
  get: (/** @type {string} */ id) => request("GET", `/api/jobs/${id}`),
  control: (/** @type {string} */ id, /** @type {"cancel"|"pause"|"resume"} */ action) =>
    request("POST", `/api/jobs/${id}/${action}`),
  rate: (/** @type {string} */ id, /** @type {number} */ rating) =>
    request("POST", `/api/jobs/${id}/rating`, { rating }),
  comment: (/** @type {string} */ id, /** @type {string} */ comment) =>
    request("POST", `/api/jobs/${id}/comment`, { comment }),
  remove: (/** @type {string} */ id) => request("DELETE", `/api/jobs/${id}`),
};

export const projects = {
  /** @returns {Promise<{projects: any[]}>} */
  list: () => request("GET", "/api/projects"),
  /** @returns {Promise<{project: any}>} */
  create: (/** @type {string} */ name) => request("POST", "/api/projects", { name }),
  /** @returns {Promise<{project: any}>} */
  get: (/** @type {string} */ id) => request("GET", `/api/projects/${id}`),
  /** @returns {Promise<{project: any}>} */
  save: (/** @type {string} */ id, /** @type {number} */ revision, /** @type {unknown} */ draft) =>
    request("PUT", `/api/projects/${id}`, { revision, draft }),
  remove: (/** @type {string} */ id) => request("DELETE", `/api/projects/${id}`),
};

export const scripts = {
  /**
   * @param {{brand: string, business: string, offer?: string, tone?: string, language?: string, duration_s?: number}} brief
   * @returns {Promise<{script: string, title: string, call_to_action: string, made_by: string, warnings: string[]}>}
   */
  write: (brief) => request("POST", "/api/scripts", brief),
};

export const voices = {
  /** @returns {Promise<{voices: {voice_id: string, name: string, language: string, engine: string, available: boolean, why: string|null}[]}>} */
  list: () => request("GET", "/api/voices"),
  /**
   * The voice made now from the script, as a ready library item with its word timings.
   * @param {{script: string, voice_id: string|null}} body
   * @returns {Promise<{media: any, source: string, duration_ms: number, word_timings: {word: string, start_ms: number, end_ms: number}[], made_by: string, warning: string|null}>}
   */
  make: (body) => request("POST", "/api/voices/make", body),
};

export const status = {
  get: () => request("GET", "/api/status"),
};
