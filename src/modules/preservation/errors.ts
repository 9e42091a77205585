/** Error codes of the preservation module (BagIt exports, fixity audits). */
import { defineErrors } from '../../platform/http/errors.js';

export const preservationErrors = defineErrors('preservation', {
  PRESERVATION_BAG_EMPTY: { status: 404, zh: '{subject}中没有您可以查看内容的档案，没有可导出的内容。', en: 'There is no record in {subjectEn} whose content you may see: nothing to export.' },
  PRESERVATION_BAG_FIXITY: { status: 500, zh: '文件 {name}（档案 {record}）的内容与接收时保存的摘要不符，导出已中止。请对该文件做固定性检查并从副本修复。', en: 'File {name} of record {record} no longer matches the digests kept at accession; the export stopped. Run a fixity check on it and repair it from a replica.' },
  PRESERVATION_BAG_OUT_NOT_EMPTY: { status: 409, zh: '输出目录 {dir} 不是空目录。请指定一个新目录或空目录，以免覆盖或混入其他文件。', en: 'The output folder {dir} is not empty. Give a new or empty folder, so that nothing is overwritten or mixed in.' },
  PRESERVATION_BAG_SUBJECT: { status: 400, zh: '请用 --record、--volume、--transfer 或 --fonds 中的一个（且只用一个）指定要导出的内容。', en: 'Say what to export with exactly one of --record, --volume, --transfer or --fonds.' },
  PRESERVATION_FIXITY_SAMPLE: { status: 400, zh: '抽样比例“{value}”无效：请写 1 到 100 之间的百分比，如 10%。', en: 'Sample "{value}" is not valid: give a percentage from 1 to 100, e.g. 10%.' },
  PRESERVATION_STORE_UNKNOWN: { status: 400, zh: '没有名为 {store} 的存储库（已配置：{known}）。', en: 'There is no store called {store} (configured: {known}).' },
  PRESERVATION_BAG_FORMAT: { status: 400, zh: '不支持的格式“{format}”：可用 folder（目录，默认）、zip 或 tar。', en: 'Unknown format "{format}": use folder (the default), zip or tar.' },
});
