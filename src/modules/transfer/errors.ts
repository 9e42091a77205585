/** Error codes of the hand-over (transfer) module. */
import { defineErrors } from '../../platform/http/errors.js';

export const transferErrors = defineErrors('transfer', {
  TRANSFER_NOT_FOUND: { status: 404, zh: '找不到移交批次 {id}，或您无权查看。', en: 'Hand-over {id} was not found, or you may not see it.' },
  TRANSFER_FORBIDDEN: { status: 403, zh: '{who}无权{action}。', en: 'You may not {actionEn}.' },
  TRANSFER_AGENCY_ONLY: { status: 403, zh: '立档单位档案员只能办理本单位的移交。', en: "Agency clerks hand over their own agency's records only." },
  TRANSFER_FONDS_AGENCY: { status: 422, zh: '全宗 {fonds} 不属于该立档单位。', en: 'Fonds {fonds} does not belong to this agency.' },
  TRANSFER_ACCEPT_FAILED_ITEMS: { status: 409, zh: '本批次有 {count} 件未通过四性检测（第 {positions} 件），不能接收；请只接收其余条目并将其退回，或整批退回并说明理由，待立档单位修改后重新移交。', en: '{count} items failed the four-property checks (items {positions}); they cannot be accepted. Accept the others and return these, or return the whole hand-over, with reasons for the agency to correct.' },
  TRANSFER_ACCEPT_NOTHING: { status: 422, zh: '没有选中要接收的条目。', en: 'No items were chosen to accept.' },
  TRANSFER_ACCEPT_BYTES: { status: 409, zh: '文件“{path}”的暂存副本与检测时不一致（{reason}），未接收任何内容；请退回重新移交。', en: 'The staged copy of "{path}" no longer matches what was checked ({reasonEn}); nothing was accepted. Return the hand-over to be sent again.' },
  TRANSFER_STATE: { status: 409, zh: '移交批次当前为“{state}”，不能{action}。', en: 'The hand-over is {stateEn}; it cannot be {actionEn}.' },
  TRANSFER_PATH_INVALID: { status: 422, zh: '文件路径“{path}”不合规：{reason}', en: 'File path "{path}" is not valid: {reasonEn}' },
  TRANSFER_PATH_TAKEN: { status: 409, zh: '本批次已有文件“{path}”。', en: 'This hand-over already has a file "{path}".' },
  TRANSFER_UPLOAD_NOT_FOUND: { status: 404, zh: '找不到上传会话 {id}。', en: 'Upload {id} was not found.' },
  TRANSFER_UPLOAD_OFFSET: { status: 409, zh: '续传位置不符：服务器已收到 {received} 字节，请从该位置继续。', en: 'Wrong offset: the server has {received} bytes; continue from there.' },
  TRANSFER_UPLOAD_OVERFLOW: { status: 413, zh: '上传超出声明的文件大小 {size} 字节。', en: 'The upload exceeds the declared size of {size} bytes.' },
  TRANSFER_CHUNK_DIGEST: { status: 422, zh: '分片校验失败：声明的 SHA-256 与收到的数据不符，请重传该分片。', en: 'Chunk digest mismatch: the declared SHA-256 does not match the bytes received; send the chunk again.' },
  TRANSFER_DIGEST_MISMATCH: { status: 422, zh: '文件“{path}”的 SHA-256 与声明不符（声明 {expected}，实际 {actual}），文件已丢弃，请重新上传。', en: 'File "{path}": SHA-256 {actual} differs from the declared {expected}; the file was discarded, upload it again.' },
  TRANSFER_UPLOAD_INCOMPLETE: { status: 409, zh: '还有 {count} 个文件未上传完成：{paths}', en: '{count} uploads are not complete: {paths}' },
  TRANSFER_EMPTY: { status: 422, zh: '移交批次中没有任何档案条目。', en: 'The hand-over holds no items.' },
  TRANSFER_RETURN_REASON: { status: 422, zh: '退回须写明理由。', en: 'A return needs a reason.' },
  TRANSFER_IDEMPOTENCY_CONFLICT: { status: 409, zh: '幂等键 {key} 已用于另一内容不同的移交。', en: 'Idempotency key {key} was used for a different hand-over.' },
  TRANSFER_ITEM_NOT_FOUND: { status: 404, zh: '找不到移交条目 {id}。', en: 'Hand-over item {id} was not found.' },
  TRANSFER_PACKAGE_REFUSED: { status: 422, zh: '移交包不能接收：{reason}。未保留任何文件，请处理后重新上传。', en: 'The package is refused: {reasonEn}. Nothing was kept; fix it and upload again.' },
  TRANSFER_CARRIER_PATH: { status: 422, zh: '载体路径“{path}”不在载体挂载目录 {root} 之下或不存在。', en: 'Carrier path "{path}" does not exist or is not under the carrier mount folder {root}.' },
  TRANSFER_CARRIER_UNREADABLE: { status: 422, zh: '载体不可读：{path}（{reason}）。请检查载体后重试，未保留任何文件。', en: 'The carrier cannot be read: {path} ({reason}). Nothing was kept; check the carrier and retry.' },
  TRANSFER_NEWER_VERSION: { status: 409, zh: '该批次已生成新版本 {id}，请在新版本中修改。', en: 'A newer version {id} already exists; correct that one.' },
});
