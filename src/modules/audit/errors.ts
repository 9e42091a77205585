/** Error codes of the security audit log. */
import { defineErrors } from '../../platform/http/errors.js';

export const auditErrors = defineErrors('audit', {
  AUDIT_ENTRY_INVALID: { status: 500, zh: '审计记录不完整，操作未执行：{summary}', en: 'The audit entry is incomplete, so the action was not carried out: {summary}' },
  AUDIT_REVIEW_FORBIDDEN: {
    status: 403,
    zh: '只有安全保密管理员（审查普通用户）和安全审计员（审查系统管理员和安全保密管理员）可以查看审计记录。',
    en: 'Only the security admin (reviewing ordinary users) and the auditor (reviewing the system and security admins) may read the audit log.',
  },
  AUDIT_KEY_MISSING: {
    status: 500,
    zh: '找不到审计检查点密钥文件 {file}，无法校验签名。请恢复该文件（LANTAI_AUDIT_KEY_FILE），不要新建。',
    en: 'The audit checkpoint key file {file} is missing, so signatures cannot be checked. Restore it (LANTAI_AUDIT_KEY_FILE); do not create a new one.',
  },
  AUDIT_KEY_INVALID: { status: 500, zh: '审计检查点密钥文件 {file} 应为 32 字节，实际 {size} 字节。请恢复原密钥文件。', en: 'The audit checkpoint key file {file} should hold 32 bytes but holds {size}. Restore the original key file.' },
  AUDIT_ARCHIVE_DATE_INVALID: { status: 400, zh: '日期“{value}”无效，请写成 YYYY-MM-DD。', en: 'The date "{value}" is not valid; write it as YYYY-MM-DD.' },
  AUDIT_ARCHIVE_TOO_RECENT: {
    status: 422,
    zh: '只能归档六个月以前的审计记录：截止日期最晚为 {latest}，而给出的是 {before}。',
    en: 'Only audit entries older than six months may be archived: the cut-off may be {latest} at the latest, not {before}.',
  },
  AUDIT_ARCHIVE_CHAIN_BROKEN: {
    status: 409,
    zh: '审计链已被破坏（第 {seq} 号：{reasonZh}），不能归档。请先用 lantai audit-log verify 调查。',
    en: 'The audit chain is broken (entry {seq}: {reason}); nothing was archived. Investigate with lantai audit-log verify first.',
  },
  AUDIT_ARCHIVE_EXISTS: { status: 409, zh: '归档文件 {file} 已存在，未做任何改动。请换一个输出目录，或核对后移走旧文件。', en: 'The archive file {file} already exists; nothing was changed. Choose another output folder, or check and move the old file.' },
  AUDIT_ARCHIVE_VERIFY_FAILED: {
    status: 500,
    zh: '写出的归档段 {file} 校验失败（{reason}），数据库中的记录未删除。请检查磁盘后重试。',
    en: 'The written segment {file} failed its check ({reason}); no entry was removed from the database. Check the disk and retry.',
  },
});
