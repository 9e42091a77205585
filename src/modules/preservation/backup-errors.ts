/** Error codes of `lantai backup` and `lantai restore` (backup.ts, backup-cli.ts). */
import { defineErrors } from '../../platform/http/errors.js';

export const backupErrors = defineErrors('preservation-backup', {
  BACKUP_PUBLIC_KEY_MISSING: {
    status: 400,
    zh: '找不到备份公钥文件 {file}。请安全保密管理员用 lantai backup key create --out <私钥文件> 生成密钥对，把其中的公钥文件（.pub）交给系统管理员，再用 --public-key 指定。',
    en: 'The backup public key file {file} does not exist. Ask the security admin to run lantai backup key create --out <private key file> and hand you its public key file (.pub); give it with --public-key.',
  },
  BACKUP_KEY_INVALID: { status: 400, zh: '文件 {file} 不是兰台的备份密钥（X25519，PEM 格式）：{reason}', en: 'The file {file} is not a Lantai backup key (X25519, PEM): {reasonEn}' },
  BACKUP_KEY_REQUIRED: {
    status: 400,
    zh: '恢复需要安全保密管理员保管的备份私钥文件：请安全保密管理员到场提供，并用 --key <私钥文件> 指定。系统管理员手中的公钥只能制作备份，不能解密备份。',
    en: 'A restore needs the backup private key file the security admin keeps: the security admin provides it, given with --key <private key file>. The public key the system admin holds makes backups but cannot decrypt them.',
  },
  BACKUP_KEY_NOT_PRIVATE: {
    status: 403,
    zh: '{file} 是备份公钥，只能用来制作备份，不能解密备份。恢复须由安全保密管理员提供私钥文件（lantai backup key create 的 --out 文件）。',
    en: '{file} is the backup public key: it makes backups but cannot decrypt them. A restore needs the private key file the security admin keeps (the --out file of lantai backup key create).',
  },
  BACKUP_WRONG_KEY: {
    status: 403,
    zh: '此备份是用密钥 {expected} 加密的，所给私钥是 {actual}，不能解密。请安全保密管理员提供与此备份对应的私钥文件。未做任何改动。',
    en: 'This backup was encrypted for key {expected}; the private key given is {actual} and cannot decrypt it. Ask the security admin for the private key of this backup. Nothing was changed.',
  },
  BACKUP_KEY_EXISTS: {
    status: 409,
    zh: '密钥文件 {file} 已存在，未覆盖。请另选文件名；旧私钥仍须保存，用来恢复以前的备份。',
    en: 'The key file {file} already exists and was not overwritten. Choose another name; keep the old private key, which the earlier backups need.',
  },
  BACKUP_OUT_NOT_EMPTY: { status: 409, zh: '备份目录 {dir} 不是空目录。请指定一个新目录或空目录，每份备份一个目录。', en: 'The backup folder {dir} is not empty. Give a new or empty folder: one folder per backup.' },
  BACKUP_NOT_A_BACKUP: { status: 400, zh: '{dir} 不是兰台备份目录：{reason}', en: '{dir} is not a Lantai backup folder: {reasonEn}' },
  BACKUP_TAMPERED: {
    status: 422,
    zh: '备份已被改动或损坏：{what}。未做任何改动。请改用另一份备份，或离线介质上的副本。',
    en: 'The backup was altered or damaged: {whatEn}. Nothing was changed. Use another backup, or its copy on offline media.',
  },
  BACKUP_TRUNCATED: {
    status: 422,
    zh: '备份文件 {file} 不完整（{detail}），可能复制中断或介质损坏。未做任何改动。请改用完整的副本。',
    en: 'The backup file {file} is incomplete ({detailEn}): an interrupted copy or damaged media. Nothing was changed. Use a complete copy.',
  },
  BACKUP_RESTORE_NOT_EMPTY: {
    status: 409,
    zh: '数据库 {database} 中已有兰台安装（{found}），恢复只能写入空的安装，未做任何改动。请新建一个空数据库（PostgreSQL 用 createdb，SQLite 用新的文件路径），用 LANTAI_DATABASE_URL 指向它后再恢复。',
    en: 'The database {database} already holds a Lantai installation ({foundEn}); a restore goes only into an empty one, and nothing was changed. Create an empty database (createdb for PostgreSQL, a new file path for SQLite), point LANTAI_DATABASE_URL at it and restore again.',
  },
  BACKUP_RESTORE_KIND: {
    status: 422,
    zh: '此备份来自 {kind} 数据库，当前配置的是 {configured}。请把 LANTAI_DATABASE_URL 指向一个空的 {kind} 数据库再恢复。未做任何改动。',
    en: 'This backup comes from a {kind} database and the configured one is {configured}. Point LANTAI_DATABASE_URL at an empty {kind} database and restore again. Nothing was changed.',
  },
  BACKUP_RESTORE_MISMATCH: {
    status: 500,
    zh: '恢复出的数据库与备份清单不符（{summary}），已撤销恢复，数据库仍为空。请检查数据库服务器的日志，或改用另一份备份。',
    en: 'The restored database does not match the backup manifest ({summary}); the restore was undone and the database is empty again. Check the database server log, or use another backup.',
  },
  BACKUP_TOOL_MISSING: {
    status: 500,
    zh: '找不到 {tool}。请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client），其主版本不低于数据库服务器。',
    en: '{tool} was not found. Install the PostgreSQL client (Debian: apt-get install postgresql-client), of a major version no older than the server.',
  },
  BACKUP_TOOL_FAILED: {
    status: 500,
    zh: '{tool} 失败（退出码 {code}）：{reason}。备份或恢复未完成，未留下半成品。',
    en: '{tool} failed (exit status {code}): {reason}. The backup or restore did not complete and left nothing half-done.',
  },
});
