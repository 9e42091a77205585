import { Card, Empty, Typography } from 'antd';
import type { ReactNode } from 'react';

export interface PlannedPageProps {
  title: string;
  /** What the page will hold, and that it is being built. */
  description: string;
  children?: ReactNode;
}

/** A page whose function is not built yet: says honestly what will be there, shows no made-up data. */
export function PlannedPage({ title, description, children }: PlannedPageProps) {
  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      {children}
      <Card>
        <Empty data-testid="planned" image={Empty.PRESENTED_IMAGE_SIMPLE} description={description} />
      </Card>
    </>
  );
}
