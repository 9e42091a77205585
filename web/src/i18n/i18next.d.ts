/** Types t() against the Chinese messages, so an unknown key does not compile. */
import 'i18next';
import type { PreservationMessages } from './preservation-zh-CN.js';
import type { SearchMessages } from './search-zh-CN.js';
import type { TransferMessages } from './transfer-zh-CN.js';
import type { Messages } from './zh-CN.js';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages; transfer: TransferMessages; preservation: PreservationMessages; search: SearchMessages };
  }
}
