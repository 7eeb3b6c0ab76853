/**
 * Pass 2 over the upload: encodes every row (label first, no header) and streams it into its
 * channel object. The schema from pass 1 decides everything, so this pass cannot reject data.
 */
import { FieldBounds, plainRecords, type CsvBatches, type PlainLines } from './csv';
import { MissingValues } from './missing';
import type { ChannelSink } from './channel-sink';
import { CHANNELS, plainRowEncoder, rowEncoder, rowText, type Channel, type RowCounts, type SchemaDocument } from './schema';
import { splitter } from './assignment';

/** Opens the sink of each channel: an S3 object (the Lambda path) or a file (a processing instance). */
export type ChannelSinks = (channel: Channel) => ChannelSink;

/**
 * Opens one writer per channel, lets `fill` append every row (a batch at a time, with backpressure
 * after each batch: memory stays bounded), then completes the three uploads, or aborts them all
 * if anything failed, so no half-written channel is left behind.
 */
async function withChannelWriters<Batch>(
  sinks: ChannelSinks,
  batches: AsyncIterable<Batch>,
  fill: (batch: Batch, writers: Record<Channel, ChannelSink>) => void,
): Promise<RowCounts> {
  const writers = Object.fromEntries(CHANNELS.map((c) => [c, sinks(c)])) as Record<Channel, ChannelSink>;
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

/**
 * What pass 2 does to a source row before encoding it, as pass 1 read it: the dropped columns left
 * out (schema.json's csv.dropped), and missing cells (an NA value) made empty, which the encoders fill.
 */
interface RowReading {
  /** The file's indexes of the columns kept, when some are dropped. */
  keep: number[] | undefined;
  missing: MissingValues;
  /** The (kept) feature columns that had missing cells: only theirs are compared with the NA values. */
  missingColumns: number[];
}

function rowReading(schema: SchemaDocument): RowReading {
  const csv = schema.csv;
  const dropped = new Set((csv?.dropped ?? []).map((d) => d.index));
  const width = schema.columns.length + dropped.size;
  return {
    keep: dropped.size > 0 ? Array.from({ length: width }, (_, i) => i).filter((i) => !dropped.has(i)) : undefined,
    missing: new MissingValues(csv?.naValues ?? []),
    missingColumns: schema.columns.filter((c) => c.role === 'feature' && (c.missing?.count ?? 0) > 0).map((c) => c.index),
  };
}

export async function writeChannels(records: CsvBatches, schema: SchemaDocument, sinks: ChannelSinks): Promise<RowCounts> {
  const encode = rowEncoder(schema);
  // The channel of each row as pass 1 counted it: the same hash, and for a stratified split the class's edges from the schema.
  const channelOf = splitter(schema.split);
  const labelIndex = schema.split.strata ? schema.label.index : -1;
  const { keep, missing, missingColumns } = rowReading(schema);
  let skipHeader = schema.header;
  return withChannelWriters(sinks, records, (batch, writers) => {
    for (const record of batch) {
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      let { fields, text } = record;
      if (keep) {
        fields = keep.map((i) => fields[i]!);
        text = undefined;
      }
      const channel = channelOf(text ?? rowText(fields), labelIndex < 0 ? undefined : fields[labelIndex]);
      if (missingColumns.length > 0) {
        if (fields === record.fields) fields = [...fields];
        for (const c of missingColumns) if (missing.is(fields[c]!)) fields[c] = '';
      }
      writers[channel].append(encode(fields));
    }
  });
}

/** writeChannels over plain CSV lines (readPlainLines): the same channel bytes, several times faster. */
export async function writeChannelsPlain(batches: AsyncIterable<PlainLines>, schema: SchemaDocument, sinks: ChannelSinks): Promise<RowCounts> {
  const reading = rowReading(schema);
  // Dropping columns renumbers them: the slices of the line no longer match the schema's indexes, so such rows go as fields.
  if (reading.keep) return writeChannels(plainRecords(batches), schema, sinks);
  const { missing, missingColumns } = reading;
  const encode = plainRowEncoder(schema);
  const channelOf = splitter(schema.split);
  const labelIndex = schema.split.strata ? schema.label.index : -1;
  const bounds = new FieldBounds();
  let skipHeader = schema.header;
  return withChannelWriters(sinks, batches, ({ lines }, writers) => {
    for (const line of lines) {
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      const { starts, ends, trimmed } = bounds.scan(line);
      const label = labelIndex < 0 ? undefined : line.slice(starts[labelIndex], ends[labelIndex]);
      const channel = channelOf(trimmed ? rowText(bounds.fields(line)) : line, label);
      // A missing cell becomes an empty field, which the encoder fills.
      for (const c of missingColumns) if (missing.isRange(line, starts[c]!, ends[c]!)) ends[c] = starts[c]!;
      writers[channel].append(encode(line, starts, ends));
    }
  });
}
