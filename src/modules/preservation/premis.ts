/**
 * A record's preservation metadata as PREMIS 3.0 XML (Library of Congress,
 * http://www.loc.gov/premis/v3): the record as an intellectual entity, each file as
 * a file object (fixity in SHA-256 and SM3, size, PRONOM format, creating
 * application, original name), every event with its outcome and linked agents, and
 * the agents (people, Lantai, external tools with their versions).
 */
import type { PreservationFilesTable } from './tables.js';
import type { PremisAgent, PreservationEvent } from './service.js';

const esc = (value: string | number | null | undefined) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
const el = (name: string, value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '' : `<premis:${name}>${esc(value)}</premis:${name}>`);

const agentKey = (a: PremisAgent) => `${a.role}|${a.id ?? a.name}|${a.version ?? ''}`;
const agentType = (a: PremisAgent) => (a.role === 'implementer' ? 'person' : 'software');
const AGENT_ROLES: Record<PremisAgent['role'], string> = { implementer: 'implementer', 'executing program': 'executing program', tool: 'validator' };

export function premisXml(record: { id: string; archivalCode: string | null; title: string }, files: readonly PreservationFilesTable[], events: readonly PreservationEvent[]): string {
  const agents = new Map<string, { agent: PremisAgent; id: string }>();
  for (const e of events) for (const a of e.agents) if (!agents.has(agentKey(a))) agents.set(agentKey(a), { agent: a, id: a.role === 'implementer' && a.id ? `user:${a.id}` : `software:${a.name}${a.version ? `/${a.version}` : ''}` });
  const objectId = (type: string, id: string) => `<premis:objectIdentifier><premis:objectIdentifierType>${esc(type)}</premis:objectIdentifierType><premis:objectIdentifierValue>${esc(id)}</premis:objectIdentifierValue></premis:objectIdentifier>`;
  const entity = `<premis:object xsi:type="premis:intellectualEntity">${objectId('UUID', record.id)}${record.archivalCode ? objectId('档号', record.archivalCode) : ''}<premis:originalName>${esc(record.title)}</premis:originalName></premis:object>`;
  const objects = files.map((f) =>
    [
      `<premis:object xsi:type="premis:file">${objectId('UUID', f.id)}`,
      '<premis:objectCharacteristics><premis:compositionLevel>0</premis:compositionLevel>',
      `<premis:fixity><premis:messageDigestAlgorithm>SHA-256</premis:messageDigestAlgorithm><premis:messageDigest>${esc(f.sha256)}</premis:messageDigest></premis:fixity>`,
      `<premis:fixity><premis:messageDigestAlgorithm>SM3</premis:messageDigestAlgorithm><premis:messageDigest>${esc(f.sm3)}</premis:messageDigest></premis:fixity>`,
      el('size', f.size),
      `<premis:format><premis:formatDesignation>${el('formatName', f.format_name ?? f.mime ?? 'unknown')}${el('formatVersion', f.format_version)}</premis:formatDesignation>`,
      f.puid ? `<premis:formatRegistry><premis:formatRegistryName>PRONOM</premis:formatRegistryName><premis:formatRegistryKey>${esc(f.puid)}</premis:formatRegistryKey></premis:formatRegistry>` : '',
      '</premis:format>',
      f.creating_application ? `<premis:creatingApplication>${el('creatingApplicationName', f.creating_application)}</premis:creatingApplication>` : '',
      '</premis:objectCharacteristics>',
      `${el('originalName', f.original_path)}`,
      `<premis:relationship><premis:relationshipType>structural</premis:relationshipType><premis:relationshipSubType>is included in</premis:relationshipSubType><premis:relatedObjectIdentifier><premis:relatedObjectIdentifierType>UUID</premis:relatedObjectIdentifierType><premis:relatedObjectIdentifierValue>${esc(record.id)}</premis:relatedObjectIdentifierValue></premis:relatedObjectIdentifier></premis:relationship>`,
      '</premis:object>',
    ].join(''),
  );
  const eventXml = events.map((e) =>
    [
      `<premis:event><premis:eventIdentifier><premis:eventIdentifierType>UUID</premis:eventIdentifierType><premis:eventIdentifierValue>${esc(e.id)}</premis:eventIdentifierValue></premis:eventIdentifier>`,
      el('eventType', e.type),
      el('eventDateTime', e.at),
      `<premis:eventDetailInformation>${el('eventDetail', e.detail)}</premis:eventDetailInformation>`,
      `<premis:eventOutcomeInformation>${el('eventOutcome', e.outcome)}</premis:eventOutcomeInformation>`,
      ...e.agents.map((a) => {
        const known = agents.get(agentKey(a)) as { id: string };
        return `<premis:linkingAgentIdentifier><premis:linkingAgentIdentifierType>local</premis:linkingAgentIdentifierType><premis:linkingAgentIdentifierValue>${esc(known.id)}</premis:linkingAgentIdentifierValue><premis:linkingAgentRole>${esc(AGENT_ROLES[a.role])}</premis:linkingAgentRole></premis:linkingAgentIdentifier>`;
      }),
      `<premis:linkingObjectIdentifier><premis:linkingObjectIdentifierType>UUID</premis:linkingObjectIdentifierType><premis:linkingObjectIdentifierValue>${esc(e.subjectId)}</premis:linkingObjectIdentifierValue></premis:linkingObjectIdentifier>`,
      '</premis:event>',
    ].join(''),
  );
  const agentXml = [...agents.values()].map(({ agent, id }) => `<premis:agent><premis:agentIdentifier><premis:agentIdentifierType>local</premis:agentIdentifierType><premis:agentIdentifierValue>${esc(id)}</premis:agentIdentifierValue></premis:agentIdentifier>${el('agentName', agent.name)}${el('agentType', agentType(agent))}${el('agentVersion', agent.version)}</premis:agent>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<premis:premis xmlns:premis="http://www.loc.gov/premis/v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/premis/v3 https://www.loc.gov/standards/premis/premis.xsd" version="3.0">',
    entity,
    ...objects,
    ...eventXml,
    ...agentXml,
    '</premis:premis>',
    '',
  ].join('\n');
}
