// Shared by the web model's tests: the Python reference values and a tolerant deep-equal.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** tests/web/fixtures/python_reference.json (tests/web/make_fixtures.py writes it). */
export const reference = JSON.parse(readFileSync(new URL("./fixtures/python_reference.json", import.meta.url), "utf8"));

/**
 * Deep equality where numbers may differ by 1e-9 (libm's last bit).
 * @param {unknown} actual @param {unknown} expected @param {string} [where]
 */
export function assertClose(actual, expected, where = "value") {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${where}: ${String(actual)} is not a number`);
    assert.ok(Math.abs(/** @type {number} */ (actual) - expected) <= 1e-9, `${where}: ${String(actual)} != ${expected}`);
  } else if (expected && typeof expected === "object") {
    assert.ok(actual && typeof actual === "object", `${where}: ${JSON.stringify(actual)} is not an object`);
    const a = /** @type {Record<string, unknown>} */ (actual);
    const e = /** @type {Record<string, unknown>} */ (expected);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${where}: keys differ`);
    for (const key of Object.keys(e)) assertClose(a[key], e[key], `${where}.${key}`);
  } else {
    assert.equal(actual, expected, where);
  }
}
