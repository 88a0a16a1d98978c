import type { PouchDb } from '../pouch.ts';

export interface HqRules {
  /** Largest document HQ accepts, in bytes of its JSON (default 64 KiB). */
  maxBytes?: number;
  /** Top-level fields HQ refuses to store whatever the branch policy says (e.g. `cardNumber`). */
  forbiddenFields?: string[];
}

export const HQ_RULES_DDOC = '_design/hq-rules';

/**
 * A CouchDB `validate_doc_update` design document enforcing HQ's own rules on
 * what a branch pushes. Refused documents come back to the branch as 403
 * `forbidden` per document, which the branch quarantines.
 */
export function hqRulesDesignDoc(rules: HqRules = {}): {
  _id: string;
  validate_doc_update: string;
  rules: HqRules;
} {
  const max = rules.maxBytes ?? 65_536;
  const forbidden = JSON.stringify(rules.forbiddenFields ?? []);
  // Runs inside CouchDB (or pouchdb-validation): ES5, no closures over this module.
  const fn = `function (newDoc) {
  if (newDoc._deleted || newDoc._id.indexOf('_design/') === 0) return;
  var forbidden = ${forbidden};
  for (var i = 0; i < forbidden.length; i++) {
    if (Object.prototype.hasOwnProperty.call(newDoc, forbidden[i])) throw({ forbidden: 'field not accepted at HQ: ' + forbidden[i] });
  }
  var size = JSON.stringify(newDoc).length;
  if (size > ${max}) throw({ forbidden: 'document too large: ' + size + ' bytes > ${max}' });
}`;
  return {
    _id: HQ_RULES_DDOC,
    validate_doc_update: fn,
    rules: { maxBytes: max, forbiddenFields: rules.forbiddenFields ?? [] },
  };
}

/** Installs or replaces the HQ rules design document in `db`. */
export async function installHqRules(db: PouchDb, rules: HqRules = {}): Promise<void> {
  const cur = await db.get(HQ_RULES_DDOC).catch(() => undefined);
  await db.put({ ...hqRulesDesignDoc(rules), ...(cur?._rev ? { _rev: cur._rev } : {}) });
}
