// Fill in a document's missing fields from the schema's own defaults (the pydantic defaults),
// so the editor holds complete documents without a second copy of every default.
import { resolveNode, timelineSchema } from "./schema.js";

/** @typedef {import("./schema.js").SchemaNode} SchemaNode */

/**
 * A deep copy of `value` with every missing field that has a default filled in.
 * @param {unknown} value
 * @param {SchemaNode} [node] the schema of `value` (the whole timeline when left out)
 * @returns {any}
 */
export function withDefaults(value, node = timelineSchema) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    return value.map((item) => withDefaults(item, node.items ? itemNode(node.items, item) : {}));
  }
  const target = resolveNode(node);
  /** @type {Record<string, unknown>} */
  const out = {};
  const props = target.properties ?? {};
  for (const [key, sub] of Object.entries(props)) {
    if (key in value) continue;
    if ("default" in sub) out[key] = structuredClone(sub.default);
  }
  for (const [key, item] of Object.entries(value)) out[key] = item;
  for (const key of Object.keys(out)) {
    if (props[key]) out[key] = withDefaults(out[key], props[key]);
  }
  return out;
}

/**
 * The schema of one array item: a tagged union picks its branch by the item's tag.
 * @param {SchemaNode} items
 * @param {any} item
 * @returns {SchemaNode}
 */
function itemNode(items, item) {
  const tag = items.discriminator;
  if (!tag) return items;
  const ref = tag.mapping[item?.[tag.propertyName]];
  return ref ? { $ref: ref } : {};
}

/**
 * A complete object of schema type `name` (e.g. "PhotoClip") from the fields given.
 * @param {string} name
 * @param {Record<string, unknown>} [fields]
 * @returns {any}
 */
export function defaultsOf(name, fields = {}) {
  return withDefaults(fields, timelineSchema.$defs[name]);
}

/**
 * The document as the model reads it: defaults filled in, and a cut's duration 0 whatever was
 * sent (shared/timeline/model.py's Transition does the same).
 * @param {unknown} json
 * @returns {any}
 */
export function normalised(json) {
  const doc = withDefaults(json);
  if (Array.isArray(doc?.video)) {
    for (const clip of doc.video) {
      if (clip?.transition?.type === "cut") clip.transition.duration_ms = 0;
    }
  }
  return doc;
}
