/**
 * The workbench's function groups, after GB/T 39784 (电子档案管理系统通用功能要求):
 * 接收, 整理, 保存, 利用, 鉴定与处置, 统计, 系统管理. Menu, routes, dashboard
 * and breadcrumbs are all drawn from this one table. An item without `page`
 * is not built yet and shows an honest empty state.
 */
import {
  AuditOutlined,
  BarChartOutlined,
  InboxOutlined,
  PartitionOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import type { ComponentType, ReactNode } from 'react';
import type { MessageKey } from '../i18n/message-key.js';
import { AccountsPage } from '../pages/accounts/index.js';
import { AuditLogPage } from '../pages/audit-log/index.js';
import { CatalogPage } from '../pages/catalog/index.js';
import { FondsPage } from '../pages/fonds/index.js';
import { OpennessReviewPage } from '../pages/openness-review/index.js';
import { StorageDashboardPage } from '../pages/preservation/dashboard-page.js';
import { FormatRisksPage } from '../pages/preservation/format-risks-page.js';
import { SystemStatusPage } from '../pages/system-status/index.js';
import { TransferChecksPage } from '../pages/transfer-checks/index.js';
import { TransfersPage } from '../pages/transfers/index.js';
import { WorkbenchSearchPage } from '../pages/workbench-search/index.js';

export interface AdminItem {
  path: string;
  title: MessageKey;
  description: MessageKey;
  page?: ComponentType;
}

export interface AdminGroup {
  key: string;
  path: string;
  icon: ReactNode;
  title: MessageKey;
  description: MessageKey;
  items: readonly AdminItem[];
}

export const adminGroups: readonly AdminGroup[] = [
  {
    key: 'receive',
    path: '/admin/receive',
    icon: <InboxOutlined />,
    title: 'admin.groups.receive.title',
    description: 'admin.groups.receive.description',
    items: [
      { path: '/admin/receive/transfers', title: 'admin.groups.receive.items.transfers.title', description: 'admin.groups.receive.items.transfers.description', page: TransfersPage },
      { path: '/admin/receive/checks', title: 'admin.groups.receive.items.checks.title', description: 'admin.groups.receive.items.checks.description', page: TransferChecksPage },
      { path: '/admin/receive/media', title: 'admin.groups.receive.items.media.title', description: 'admin.groups.receive.items.media.description' },
      { path: '/admin/receive/webcapture', title: 'admin.groups.receive.items.webcapture.title', description: 'admin.groups.receive.items.webcapture.description' },
    ],
  },
  {
    key: 'arrange',
    path: '/admin/arrange',
    icon: <PartitionOutlined />,
    title: 'admin.groups.arrange.title',
    description: 'admin.groups.arrange.description',
    items: [
      { path: '/admin/arrange/fonds', title: 'admin.groups.arrange.items.fonds.title', description: 'admin.groups.arrange.items.fonds.description', page: FondsPage },
      { path: '/admin/arrange/catalog', title: 'admin.groups.arrange.items.catalog.title', description: 'admin.groups.arrange.items.catalog.description', page: CatalogPage },
      { path: '/admin/arrange/codes', title: 'admin.groups.arrange.items.codes.title', description: 'admin.groups.arrange.items.codes.description' },
    ],
  },
  {
    key: 'preserve',
    path: '/admin/preserve',
    icon: <SafetyCertificateOutlined />,
    title: 'admin.groups.preserve.title',
    description: 'admin.groups.preserve.description',
    items: [
      { path: '/admin/preserve/overview', title: 'admin.groups.preserve.items.overview.title', description: 'admin.groups.preserve.items.overview.description', page: StorageDashboardPage },
      { path: '/admin/preserve/formats', title: 'admin.groups.preserve.items.formats.title', description: 'admin.groups.preserve.items.formats.description', page: FormatRisksPage },
      { path: '/admin/preserve/fixity', title: 'admin.groups.preserve.items.fixity.title', description: 'admin.groups.preserve.items.fixity.description' },
      { path: '/admin/preserve/backup', title: 'admin.groups.preserve.items.backup.title', description: 'admin.groups.preserve.items.backup.description' },
    ],
  },
  {
    key: 'use',
    path: '/admin/use',
    icon: <ReadOutlined />,
    title: 'admin.groups.use.title',
    description: 'admin.groups.use.description',
    items: [
      { path: '/admin/use/search', title: 'admin.groups.use.items.search.title', description: 'admin.groups.use.items.search.description', page: WorkbenchSearchPage },
      { path: '/admin/use/requests', title: 'admin.groups.use.items.requests.title', description: 'admin.groups.use.items.requests.description' },
      { path: '/admin/use/register', title: 'admin.groups.use.items.register.title', description: 'admin.groups.use.items.register.description' },
      { path: '/admin/use/appointments', title: 'admin.groups.use.items.appointments.title', description: 'admin.groups.use.items.appointments.description' },
      { path: '/admin/use/inquiries', title: 'admin.groups.use.items.inquiries.title', description: 'admin.groups.use.items.inquiries.description' },
      { path: '/admin/use/collections', title: 'admin.groups.use.items.collections.title', description: 'admin.groups.use.items.collections.description' },
      { path: '/admin/use/exhibitions', title: 'admin.groups.use.items.exhibitions.title', description: 'admin.groups.use.items.exhibitions.description' },
    ],
  },
  {
    key: 'appraise',
    path: '/admin/appraise',
    icon: <AuditOutlined />,
    title: 'admin.groups.appraise.title',
    description: 'admin.groups.appraise.description',
    items: [
      { path: '/admin/appraise/openness', title: 'admin.groups.appraise.items.openness.title', description: 'admin.groups.appraise.items.openness.description', page: OpennessReviewPage },
      { path: '/admin/appraise/retention', title: 'admin.groups.appraise.items.retention.title', description: 'admin.groups.appraise.items.retention.description' },
      { path: '/admin/appraise/disposal', title: 'admin.groups.appraise.items.disposal.title', description: 'admin.groups.appraise.items.disposal.description' },
    ],
  },
  {
    key: 'statistics',
    path: '/admin/statistics',
    icon: <BarChartOutlined />,
    title: 'admin.groups.statistics.title',
    description: 'admin.groups.statistics.description',
    items: [
      { path: '/admin/statistics/holdings', title: 'admin.groups.statistics.items.holdings.title', description: 'admin.groups.statistics.items.holdings.description' },
      { path: '/admin/statistics/transfers', title: 'admin.groups.statistics.items.transfers.title', description: 'admin.groups.statistics.items.transfers.description' },
      { path: '/admin/statistics/use', title: 'admin.groups.statistics.items.use.title', description: 'admin.groups.statistics.items.use.description' },
    ],
  },
  {
    key: 'system',
    path: '/admin/system',
    icon: <SettingOutlined />,
    title: 'admin.groups.system.title',
    description: 'admin.groups.system.description',
    items: [
      { path: '/admin/system/status', title: 'admin.groups.system.items.status.title', description: 'admin.groups.system.items.status.description', page: SystemStatusPage },
      { path: '/admin/system/users', title: 'admin.groups.system.items.users.title', description: 'admin.groups.system.items.users.description', page: AccountsPage },
      { path: '/admin/system/audit', title: 'admin.groups.system.items.audit.title', description: 'admin.groups.system.items.audit.description', page: AuditLogPage },
    ],
  },
];

/** Where a path sits in the workbench: its group and, below the group page, its item. */
export function locate(pathname: string): { group?: AdminGroup; item?: AdminItem } {
  const group = adminGroups.find((candidate) => pathname === candidate.path || pathname.startsWith(`${candidate.path}/`));
  const item = group?.items.find((candidate) => pathname === candidate.path || pathname.startsWith(`${candidate.path}/`));
  return { group, item };
}
