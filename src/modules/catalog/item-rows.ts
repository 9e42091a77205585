/**
 * An item between its two shapes: the checked input as a table row, and a stored
 * row as input again (for merging a patch). Shared by the service and the import.
 */
import type { Actor } from '../accounts/service.js';
import type { CheckedItem, ItemContext } from './item-rules.js';
import type { ItemInput } from './model.js';
import type { RecordsTable } from './tables.js';

/** The table row of a checked item. */
export function rowOf(id: string, checked: CheckedItem, ctx: ItemContext, actor: Actor, at: string): RecordsTable {
  const i = checked.input;
  return {
    id,
    fonds_id: ctx.fonds.id,
    category_id: ctx.category.id,
    agency_id: ctx.fonds.agencyId,
    volume_id: ctx.volume?.id ?? null,
    archival_code: checked.archivalCode,
    class_key: checked.classKey,
    item_no: checked.itemNo,
    aggregation_level: checked.aggregationLevel,
    year: i.year,
    retention: i.retention,
    org_code: i.orgCode,
    title: i.title,
    responsible: i.responsible,
    date: i.date,
    classification: i.classification,
    secrecy_term: i.secrecyTerm,
    control: i.control,
    openness: i.openness,
    openness_due_year: checked.opennessDueYear,
    openness_reviewed_at: null,
    agency_openness_opinion: i.agencyOpennessOpinion,
    combination_type: i.combinationType,
    doc_number: i.docNumber,
    doc_type: i.docType,
    urgency: i.urgency,
    main_recipients: i.mainRecipients,
    copy_recipients: i.copyRecipients,
    page_count: i.pageCount,
    subject_terms: i.subjectTerms,
    keywords: i.keywords,
    abstract: i.abstract,
    remarks: i.remarks,
    extensions: JSON.stringify(i.extensions),
    created_by: actor.userId,
    created_at: at,
    updated_at: at,
    version: 1,
  };
}

/** The stored row as input again (for merging a patch). */
export function inputOf(full: RecordsTable): ItemInput {
  return {
    fondsId: full.fonds_id,
    categoryId: full.category_id,
    volumeId: full.volume_id,
    title: full.title,
    responsible: full.responsible,
    date: full.date,
    year: full.year,
    retention: full.retention as ItemInput['retention'],
    classification: full.classification as ItemInput['classification'],
    secrecyTerm: full.secrecy_term,
    control: full.control as ItemInput['control'],
    openness: full.openness as ItemInput['openness'],
    agencyOpennessOpinion: full.agency_openness_opinion,
    orgCode: full.org_code,
    combinationType: full.combination_type as ItemInput['combinationType'],
    docNumber: full.doc_number,
    docType: full.doc_type,
    urgency: full.urgency,
    mainRecipients: full.main_recipients,
    copyRecipients: full.copy_recipients,
    pageCount: full.page_count,
    subjectTerms: full.subject_terms,
    keywords: full.keywords,
    abstract: full.abstract,
    remarks: full.remarks,
    extensions: JSON.parse(full.extensions) as ItemInput['extensions'],
    archivalCode: full.archival_code,
  };
}
