// Check a timeline document against the schema the server uses (and the rules the schema
// cannot state), with errors that name the field: "video.0.duration_ms: must be >= 500".
import { Ajv2020 } from "ajv/dist/2020.js";
import { normalised } from "./defaults.js";
import { ruleErrors } from "./rules.js";
import { timelineSchema } from "./schema.js";

/** @typedef {import("ajv").ErrorObject} ErrorObject */
/** @typedef {{ok: true} | {ok: false, errors: string[]}} Validation */

const ajv = new Ajv2020({ allErrors: true, strict: true });
// The clip union is checked clip by clip against the definition its kind names: a oneOf would
// report every branch's complaints about a clip, when only its own kind's are meaningful.
const checkDocument = ajv.compile({
  ...timelineSchema,
  properties: {
    ...timelineSchema.properties,
    video: { ...timelineSchema.properties.video, items: { type: "object" } },
  },
});
const checkClip = {
  photo: ajv.compile({ $ref: "#/$defs/PhotoClip", $defs: timelineSchema.$defs }),
  video: ajv.compile({ $ref: "#/$defs/VideoClip", $defs: timelineSchema.$defs }),
};

/**
 * @param {unknown} json a parsed timeline document
 * @returns {Validation}
 */
export function validateTimeline(json) {
  const errors = schemaErrors(json);
  if (errors.length) return { ok: false, errors };
  const broken = ruleErrors(normalised(json));
  return broken.length ? { ok: false, errors: broken } : { ok: true };
}

/**
 * @param {any} json
 * @returns {string[]}
 */
function schemaErrors(json) {
  /** @type {ErrorObject[]} */
  const raw = checkDocument(json) ? [] : [...(checkDocument.errors ?? [])];
  /** @type {string[]} */
  const lines = [];
  const clips = Array.isArray(json?.video) ? json.video : [];
  clips.forEach((/** @type {any} */ clip, /** @type {number} */ i) => {
    if (!clip || typeof clip !== "object") return; // reported by the document's check
    const check = checkClip[/** @type {"photo"|"video"} */ (clip.kind)];
    if (!check || !Object.hasOwn(checkClip, clip.kind)) {
      lines.push(`video.${i}.kind: must be "photo" or "video"`);
    } else if (!check(clip)) {
      for (const err of check.errors ?? []) {
        raw.push({ ...err, instancePath: `/video/${i}${err.instancePath}` });
      }
    }
  });
  for (const err of raw) {
    // A union's summary, or its "null" branch, only matter when nothing more precise is said.
    if (isSummary(err) && raw.some((e) => !isSummary(e) && e.instancePath.startsWith(err.instancePath))) {
      continue;
    }
    lines.push(message(err));
  }
  return [...new Set(lines)];
}

/** @param {ErrorObject} err */
function isSummary(err) {
  return err.keyword === "anyOf" || err.keyword === "oneOf" ||
    (err.keyword === "type" && err.params.type === "null");
}

/** @param {ErrorObject} err */
function message(err) {
  const at = (/** @type {string} */ pointer) =>
    pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")).join(".");
  const where = at(err.instancePath);
  const join = (/** @type {string} */ key) => (where ? `${where}.${key}` : key);
  switch (err.keyword) {
    case "required":
      return `${join(err.params.missingProperty)}: is required`;
    case "additionalProperties":
      return `${join(err.params.additionalProperty)}: is not a field here`;
    case "enum":
      return `${where || "timeline"}: must be one of ${err.params.allowedValues.map(quote).join(", ")}`;
    case "const":
      return `${where || "timeline"}: must be ${quote(err.params.allowedValue)}`;
    default:
      return `${where || "timeline"}: ${err.message}`;
  }
}

/** @param {unknown} value */
function quote(value) {
  return JSON.stringify(value);
}
