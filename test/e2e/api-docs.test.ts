/**
 * The API documentation: Swagger UI at /api/docs, the OpenAPI document at /api/docs/json.
 * Run: npm run build && npx vitest run test/e2e  (screenshots land in test-results/e2e/).
 */
import { describe, expect, it } from 'vitest';
import { useLantai } from './harness.js';

const lantai = useLantai();

describe('the API documentation', { timeout: 30_000 }, () => {
  it('serves the OpenAPI document at /api/docs/json', async () => {
    const response = await fetch(lantai.url('/api/docs/json'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document: unknown = await response.json();
    expect(document).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: expect.stringContaining('Lantai') },
      paths: expect.objectContaining({ '/api/meta': expect.anything(), '/api/health': expect.anything() }),
    });
  });

  it('shows Swagger UI at /api/docs', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/api/docs'));
    const title = page.locator('.swagger-ui .info .title');
    await title.waitFor();
    expect(await title.textContent()).toContain('Lantai');
    await page.locator('.swagger-ui .opblock').first().waitFor();
    expect(await page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(1);
    await lantai.screenshot(page, 'api-docs');
    expect(problems).toEqual([]);
  });
});
