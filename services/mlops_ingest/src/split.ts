/**
 * Pass 2 over the upload: encodes every row (label first, no header) and streams it into its
 * channel object. The schema from pass 1 decides everything, so this pass cannot reject data.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FieldBounds, type CsvBatches, type PlainLines } from './csv';
import { ChannelWriter } from './channel-writer';
import { CHANNELS, plainRowEncoder, rowEncoder, rowText, type Channel, type RowCounts, type SchemaDocument } from './schema';
import { splitter } from './assignment';

export interface ChannelTarget {
  bucket: string;
  keys: Record<Channel, string>;
}

/**
 * Opens one writer per channel, lets `fill` append every row (a batch at a time, with backpressure
 * after each batch: memory stays bounded), then completes the three uploads, or aborts them all
 * if anything failed, so no half-written channel is left behind.
 */
async function withChannelWriters<Batch>(
  s3: S3Client,
  target: ChannelTarget,
  batches: AsyncIterable<Batch>,
  fill: (batch: Batch, writers: Record<Channel, ChannelWriter>) => void,
): Promise<RowCounts> {
  const writers = Object.fromEntries(CHANNELS.map((c) => [c, new ChannelWriter(s3, target.bucket, target.keys[c])])) as Record<Channel, ChannelWriter>;
  const all = Object.values(writers);
  try {
    for await (const batch of batches) {
      fill(batch, writers);
      for (const writer of all) await writer.flushIfFull();
    }
    await Promise.all(all.map((w) => w.end()));
  } catch (error) {
    await Promise.all(all.map((w) => w.abort()));
    throw error;
  }
  return { train: writers.train.rows, validation: writers.validation.rows, test: writers.test.rows };
}

export async function writeChannels(records: CsvBatches, schema: SchemaDocument, s3: S3Client, target: ChannelTarget): Promise<RowCounts> {
  const encode = rowEncoder(schema);
  // The channel of each row as pass 1 counted it: the same hash, and for a stratified split the class's edges from the schema.
  const channelOf = splitter(schema.split);
  const labelIndex = schema.split.strata ? schema.label.index : -1;
  let skipHeader = schema.header;
  return withChannelWriters(s3, target, records, (batch, writers) => {
    for (const { fields, text } of batch) {
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      writers[channelOf(text ?? rowText(fields), labelIndex < 0 ? undefined : fields[labelIndex])].append(encode(fields));
    }
  });
}

/** writeChannels over plain CSV lines (readPlainLines): the same channel bytes, several times faster. */
export async function writeChannelsPlain(batches: AsyncIterable<PlainLines>, schema: SchemaDocument, s3: S3Client, target: ChannelTarget): Promise<RowCounts> {
  const encode = plainRowEncoder(schema);
  const channelOf = splitter(schema.split);
  const labelIndex = schema.split.strata ? schema.label.index : -1;
  const bounds = new FieldBounds();
  let skipHeader = schema.header;
  return withChannelWriters(s3, target, batches, ({ lines }, writers) => {
    for (const line of lines) {
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      const { starts, ends, trimmed } = bounds.scan(line);
      const label = labelIndex < 0 ? undefined : line.slice(starts[labelIndex], ends[labelIndex]);
      writers[channelOf(trimmed ? rowText(bounds.fields(line)) : line, label)].append(encode(line, starts, ends));
    }
  });
}
