// The timeline's JSON Schema (exported from shared/timeline/model.py), bundled with the editor.
import schema from "../../schema/timeline.schema.json" with { type: "json" };

/** @typedef {{[key: string]: any}} SchemaNode */

export const timelineSchema = /** @type {SchemaNode} */ (schema);

/**
 * The node a `$ref` (or a nullable `anyOf: [{$ref}, {type: "null"}]`) points at, or the node.
 * @param {SchemaNode} node
 * @returns {SchemaNode}
 */
export function resolveNode(node) {
  if (node.$ref) return timelineSchema.$defs[node.$ref.split("/").pop()];
  const refs = node.anyOf?.filter((/** @type {SchemaNode} */ n) => n.$ref);
  return refs?.length === 1 ? resolveNode(refs[0]) : node;
}
