/** Error codes of the search module. */
import { defineErrors } from '../../platform/http/errors.js';

export const searchErrors = defineErrors('search', {
  SEARCH_FONDS_UNKNOWN: { status: 404, zh: '没有全宗号为 {fonds} 的全宗。', en: 'There is no fonds with code {fonds}.' },
});
