import { CalendarOutlined, DatabaseOutlined, HomeOutlined, MessageOutlined, PictureOutlined, SearchOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n/message-key.js';

export interface PortalSection {
  path: string;
  icon: ReactNode;
  title: MessageKey;
  /** One line for the card on the home page. */
  summary?: MessageKey;
}

/** The public portal's navigation, in menu order. */
export const portalSections: readonly PortalSection[] = [
  { path: '/', icon: <HomeOutlined />, title: 'portal.nav.home' },
  { path: '/search', icon: <SearchOutlined />, title: 'portal.nav.search', summary: 'portal.home.cards.search' },
  { path: '/collections', icon: <DatabaseOutlined />, title: 'portal.nav.collections', summary: 'portal.home.cards.collections' },
  { path: '/exhibitions', icon: <PictureOutlined />, title: 'portal.nav.exhibitions', summary: 'portal.home.cards.exhibitions' },
  { path: '/appointments', icon: <CalendarOutlined />, title: 'portal.nav.appointments', summary: 'portal.home.cards.appointments' },
  { path: '/inquiries', icon: <MessageOutlined />, title: 'portal.nav.inquiries', summary: 'portal.home.cards.inquiries' },
];

/** The section a path belongs to, for the selected menu item. */
export function sectionOf(pathname: string): PortalSection | undefined {
  if (pathname === '/') return portalSections[0];
  return portalSections.find((section) => section.path !== '/' && (pathname === section.path || pathname.startsWith(`${section.path}/`)));
}
