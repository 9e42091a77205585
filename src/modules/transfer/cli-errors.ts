/** Error codes of `lantai transfer submit`, the filing API's client on the agency's side. */
import { defineErrors } from '../../platform/http/errors.js';

export const transferCliErrors = defineErrors('transfer-cli', {
  TRANSFER_CLI_UNREACHABLE: { status: 503, zh: '无法连接服务器 {server}（{reason}）。请检查 --server 地址、网络和代理设置。', en: 'The server {server} cannot be reached ({reason}). Check --server, the network and any proxy.' },
  TRANSFER_CLI_KEY_REFUSED: { status: 401, zh: '服务器拒绝了接口密钥：{message} 请向档案馆的系统管理员核对或重新签发密钥。', en: 'The server refused the API key: {message} Ask the archive system admin to check or reissue it.' },
  TRANSFER_CLI_KEY_MISSING: { status: 400, zh: '缺少接口密钥：请用 --api-key-file <文件>（“-”表示标准输入）或 --api-key 提供档案馆签发的密钥。', en: 'No API key: give the key the archive issued with --api-key-file <file> ("-" for standard input) or --api-key.' },
  TRANSFER_CLI_NOT_LANTAI: { status: 502, zh: '服务器 {server} 的应答无法识别（HTTP {status}）。--server 应指向兰台的地址，例如 https://archive.example.gov.cn。', en: 'The answer of {server} is not understood (HTTP {status}). --server should be the address of Lantai, e.g. https://archive.example.gov.cn.' },
  TRANSFER_AV_IMPORT: { status: 422, zh: '特征库未导入：{reason}', en: 'Signatures not imported: {reasonEn}' },
  TRANSFER_CLI_OPTION: { status: 400, zh: '参数 {option} 不正确：{reason}', en: 'Option {option} is not valid: {reasonEn}' },
  TRANSFER_CLI_SOURCE: { status: 422, zh: '不能移交“{path}”：{reason}', en: 'Cannot hand over "{path}": {reasonEn}' },
  TRANSFER_CLI_NO_ITEMS: { status: 422, zh: '压缩包已展开为 {files} 个文件，但没有得到任何档案条目：包的顶层应有归档文件目录（文件名含“目录”的 xlsx 或 csv，以“文件名”列列出各件的文件），或是 BagIt 包。批次 {id} 仍为草稿；请补上目录后用新的 --idempotency-key 重新移交。', en: 'The package gave {files} files but no items: it needs a catalog spreadsheet at its top level (an xlsx or csv named for the catalog, with a file-name column naming the files of each item), or must be a BagIt bag. Hand-over {id} stays a draft; add the catalog and hand over again with a new --idempotency-key.' },
  TRANSFER_CLI_PACKAGE_STUCK: { status: 409, zh: '批次 {id} 已收到压缩包“{path}”，但尚未展开为条目：上次运行可能在服务器展开时中断（请稍候几分钟再运行一次），或压缩包已被拒收（请修正后用新的 --idempotency-key 重新移交）。', en: 'Hand-over {id} has received the package "{path}" but it was not unpacked into items: either the last run stopped while the server was unpacking it (run again in a few minutes), or the package was refused (fix it and hand over again with a new --idempotency-key).' },
  TRANSFER_CLI_WAIT_TIMEOUT: { status: 504, zh: '等待 {minutes} 分钟后四性检测仍未完成（批次 {id} 当前为“{state}”）。稍后可用相同参数再次运行并加 --wait 查看结果。', en: 'The four-property checks did not finish within {minutes} minutes (hand-over {id} is {stateEn}). Run the same command with --wait later to see the result.' },
});
