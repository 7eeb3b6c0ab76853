/**
 * Pass 2 over the upload: encodes every row (label first, no header) and streams it into its
 * channel object. The schema from pass 1 decides everything, so this pass cannot reject data.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FieldBounds, type CsvBatches, type PlainLines } from './csv';
import { ChannelWriter } from './channel-writer';
import { CHANNELS, plainRowEncoder, rowEncoder, rowText, splitter, type Channel, type RowCounts, type SchemaDocument } from './schema';

export interface ChannelTarget {
  bucket: string;
  keys: Record<Channel, string>;
}

export async function writeChannels(records: CsvBatches, schema: SchemaDocument, s3: S3Client, target: ChannelTarget): Promise<RowCounts> {
  const encode = rowEncoder(schema);
  const channelOf = splitter(schema.split.ratios, schema.split.seed);
  const writers = Object.fromEntries(CHANNELS.map((c) => [c, new ChannelWriter(s3, target.bucket, target.keys[c])])) as Record<Channel, ChannelWriter>;
  const all = Object.values(writers);
  try {
    let first = true;
    for await (const batch of records) {
      for (const { fields, text } of batch) {
        if (first && schema.header) {
          first = false;
          continue;
        }
        first = false;
        writers[channelOf(text ?? rowText(fields))].append(encode(fields));
      }
      // Backpressure once per batch (a batch is one chunk of input): memory stays bounded.
      for (const writer of all) await writer.flushIfFull();
    }
    await Promise.all(all.map((w) => w.end()));
  } catch (error) {
    await Promise.all(all.map((w) => w.abort()));
    throw error;
  }
  return { train: writers.train.rows, validation: writers.validation.rows, test: writers.test.rows };
}

/** writeChannels over plain CSV lines (readPlainLines): the same channel bytes, several times faster. */
export async function writeChannelsPlain(batches: AsyncIterable<PlainLines>, schema: SchemaDocument, s3: S3Client, target: ChannelTarget): Promise<RowCounts> {
  const encode = plainRowEncoder(schema);
  const channelOf = splitter(schema.split.ratios, schema.split.seed);
  const writers = Object.fromEntries(CHANNELS.map((c) => [c, new ChannelWriter(s3, target.bucket, target.keys[c])])) as Record<Channel, ChannelWriter>;
  const all = Object.values(writers);
  const bounds = new FieldBounds();
  try {
    let first = true;
    for await (const { lines } of batches) {
      for (const line of lines) {
        if (first && schema.header) {
          first = false;
          continue;
        }
        first = false;
        const { starts, ends, trimmed } = bounds.scan(line);
        writers[channelOf(trimmed ? rowText(bounds.fields(line)) : line)].append(encode(line, starts, ends));
      }
      for (const writer of all) await writer.flushIfFull();
    }
    await Promise.all(all.map((w) => w.end()));
  } catch (error) {
    await Promise.all(all.map((w) => w.abort()));
    throw error;
  }
  return { train: writers.train.rows, validation: writers.validation.rows, test: writers.test.rows };
}
