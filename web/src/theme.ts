/** Ant Design theme of Lantai: archive blue, and Chinese fonts before the generic family. */
import type { ThemeConfig } from 'antd';

export const lantaiTheme: ThemeConfig = {
  token: {
    colorPrimary: '#1e5bb8',
    colorLink: '#1e5bb8',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Noto Sans', sans-serif",
  },
};

/**
 * The theme for a reader who asked the system for less motion (an operating
 * system setting many people with vestibular disorders use): Ant Design's
 * fades and slides are switched off, so menus and dialogs appear at once.
 */
export function themeFor(reduceMotion: boolean): ThemeConfig {
  return reduceMotion ? { ...lantaiTheme, token: { ...lantaiTheme.token, motion: false } } : lantaiTheme;
}
