/** Error codes of the accounts module. */
import { defineErrors } from '../../platform/http/errors.js';

export const accountsErrors = defineErrors('accounts', {
  AUTH_REQUIRED: { status: 401, zh: '请先登录。', en: 'Please sign in first.' },
  AUTH_INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码不正确。', en: 'The username or password is incorrect.' },
  AUTH_LOCKED: { status: 423, zh: '登录失败次数过多，账号或地址已锁定，请 {minutes} 分钟后再试。', en: 'Too many failed sign-ins; locked for {minutes} minutes.' },
  AUTH_SESSION_EXPIRED: { status: 401, zh: '会话已过期，请重新登录。', en: 'Your session has expired; sign in again.' },
  AUTH_CSRF: { status: 403, zh: '请求缺少有效的防伪令牌（X-CSRF-Token），请刷新页面后重试。', en: 'The request lacks a valid anti-forgery token (X-CSRF-Token); reload the page and retry.' },
  AUTH_PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '首次登录或密码重置后须先修改密码。', en: 'Change your password first (first sign-in or after a reset).' },
  AUTH_ACCOUNT_DISABLED: { status: 403, zh: '账号已停用，请联系系统管理员。', en: 'This account is disabled; contact the system administrator.' },
  PASSWORD_POLICY: { status: 422, zh: '密码不符合要求：至少 8 位，包含大写字母、小写字母、数字、符号中的三类，且不含用户名。', en: 'The password must have at least 8 characters from three of: upper case, lower case, digits, symbols, and must not contain the username.' },
  FORBIDDEN_ROLE: { status: 403, zh: '{role}无权执行此操作：{action}。', en: 'A {roleEn} may not do this: {action}.' },
  ROLE_CONFLICT: { status: 422, zh: '三员角色互斥，且不能兼任业务角色：{roles}。', en: 'The three admin roles exclude each other and every business role: {roles}.' },
  SELF_GRANT: { status: 403, zh: '不能给自己授予角色、密级或权限。', en: 'You cannot grant roles, clearances or access to yourself.' },
  TOTP_REQUIRED: { status: 403, zh: '管理员须先通过动态口令（TOTP）验证。', en: 'Administrators must pass the one-time code (TOTP) check first.' },
  TOTP_ENROL_REQUIRED: { status: 403, zh: '管理员须先绑定动态口令（TOTP）验证器。', en: 'Administrators must enrol a one-time code (TOTP) authenticator first.' },
  TOTP_INVALID: { status: 401, zh: '动态口令不正确或已过期。', en: 'The one-time code is wrong or expired.' },
  TOTP_ALREADY_ENROLLED: { status: 409, zh: '已绑定动态口令验证器；如需更换请联系安全保密管理员重置。', en: 'An authenticator is already enrolled; ask the security administrator to reset it.' },
  API_KEY_INVALID: { status: 401, zh: '接口密钥无效、已过期或已吊销。', en: 'The API key is invalid, expired or revoked.' },
  API_KEY_SCOPE: { status: 403, zh: '接口密钥只能用于移交接口（/api/filing/）。', en: 'API keys open the filing API (/api/filing/) only.' },
  API_KEY_AGENCY_ONLY: { status: 422, zh: '接口密钥只能签发给立档单位。', en: 'API keys are issued to filing agencies only.' },
  USERNAME_TAKEN: { status: 409, zh: '用户名 {username} 已存在。', en: 'Username {username} is already taken.' },
  USER_NOT_FOUND: { status: 404, zh: '找不到用户 {id}。', en: 'User {id} was not found.' },
  ORGANISATION_NOT_FOUND: { status: 404, zh: '找不到单位 {id}。', en: 'Organisation {id} was not found.' },
});
