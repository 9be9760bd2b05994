/**
 * Renders EC2 query-protocol XML: a response element in the 2016-11-15 namespace, members in
 * insertion order, lists as `<xSet><item>…</item></xSet>` (an empty list as `<xSet/>`), booleans
 * as `true`/`false`. Undefined members are left out, as EC2 leaves out what is not set.
 */

/** A value the renderer accepts. */
export type XmlValue = string | number | boolean | undefined | null | XmlObject | readonly XmlValue[];
/** An element with child elements. */
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

/** The EC2 API namespace of version 2016-11-15. */
export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** `<ActionResponse xmlns=…><requestId>…</requestId>…members…</ActionResponse>`. */
export function responseXml(action: string, requestId: string, members: XmlObject): string {
  const body = renderMembers({ requestId, ...members });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${body}</${action}Response>`;
}

/** EC2's error document (HTTP 4xx/5xx): one Error, and the request id. */
export function errorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`;
}

function renderMembers(obj: XmlObject): string {
  let out = '';
  for (const [name, value] of Object.entries(obj)) out += renderElement(name, value);
  return out;
}

function renderElement(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((v) => renderElement('item', v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') return `<${name}>${renderMembers(value as XmlObject)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tag list as EC2 renders it (`tagSet`). */
export function tagSet(tags: ReadonlyMap<string, string>): XmlObject[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}
