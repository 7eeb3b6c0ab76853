import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportHtml } from './html';
import type { RunReport } from './types';

/**
 * Writes `report.html` (self-contained) and `report.json` (the same data) into `dir`, creating it if needed.
 * Each file is written to a temporary name and renamed, so a reader never sees a half-written report.
 */
export async function writeReport(dir: string, report: RunReport): Promise<{ htmlPath: string; jsonPath: string }> {
  await mkdir(dir, { recursive: true });
  const htmlPath = join(dir, 'report.html');
  const jsonPath = join(dir, 'report.json');
  const html = renderReportHtml(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  await writeFile(jsonPath + suffix, json, 'utf8');
  await writeFile(htmlPath + suffix, html, 'utf8');
  await rename(jsonPath + suffix, jsonPath);
  await rename(htmlPath + suffix, htmlPath);
  return { htmlPath, jsonPath };
}
