/**
 * The second factor: TOTP (RFC 6238, 6 digits, 30 s) with otpauth, enrolled by
 * scanning a QR code (qrcode). Required for the three admin roles when
 * LANTAI_REQUIRE_2FA is on (GB/T 22239 level 3: two factors for administrators).
 */
import { Secret, TOTP } from 'otpauth';
// qrcode is loaded when someone enrols (it is not needed to check a code).

const ISSUER = '兰台 Lantai';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, username: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: username, secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
}

/** The otpauth:// URI and a PNG data URL of its QR code, for authenticator apps. */
export async function enrolment(secret: string, username: string): Promise<{ uri: string; qrDataUrl: string }> {
  const uri = totp(secret, username).toString();
  const QRCode = (await import('qrcode')).default;
  return { uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
}

/** Accepts the current code and its neighbours (one period of clock drift either way). */
export function checkTotp(secret: string, username: string, code: string): boolean {
  return /^\d{6}$/.test(code) && totp(secret, username).validate({ token: code, window: 1 }) !== null;
}

