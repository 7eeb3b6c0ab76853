/**
 * Pass 2 over the upload: encodes every row (label first, no header) and streams it into its
 * channel object. The schema from pass 1 decides everything, so this pass cannot reject data.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { CsvRecord } from './csv';
import { ChannelWriter } from './channel-writer';
import { CHANNELS, rowEncoder, rowText, splitter, type Channel, type RowCounts, type SchemaDocument } from './schema';

export interface ChannelTarget {
  bucket: string;
  keys: Record<Channel, string>;
}

export async function writeChannels(records: AsyncIterable<CsvRecord>, schema: SchemaDocument, s3: S3Client, target: ChannelTarget): Promise<RowCounts> {
  const encode = rowEncoder(schema);
  const channelOf = splitter(schema.split.ratios, schema.split.seed);
  const writers = Object.fromEntries(CHANNELS.map((c) => [c, new ChannelWriter(s3, target.bucket, target.keys[c])])) as Record<Channel, ChannelWriter>;
  const all = Object.values(writers);
  try {
    let first = true;
    for await (const { fields } of records) {
      if (first && schema.header) {
        first = false;
        continue;
      }
      first = false;
      await writers[channelOf(rowText(fields))].writeLine(encode(fields));
    }
    await Promise.all(all.map((w) => w.end()));
  } catch (error) {
    await Promise.all(all.map((w) => w.abort()));
    throw error;
  }
  return { train: writers.train.rows, validation: writers.validation.rows, test: writers.test.rows };
}
