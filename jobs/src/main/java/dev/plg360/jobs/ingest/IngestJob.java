package dev.plg360.jobs.ingest;

import static org.apache.spark.sql.functions.col;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.common.tables.Tables.Lineage;
import dev.plg360.common.tables.Tables.Quarantine;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands new raw files in bronze: for each configured source, reads the files not ingested before, maps and checks
 * every record, appends the accepted ones whose key is new, quarantines the rest with a reason, and
 * records the files as ingested. Each step is idempotent, so a run killed at any point is finished by the next.
 * Reads: {@code plg360.landing.dir}. Writes: bronze.* per source, bronze.quarantine, ops.ingested_files.
 */
public final class IngestJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public void run(JobContext ctx) throws InterruptedException {
    List<SourceSpec> sources = SourceSpec.all(ctx.settings());
    LandingZone landing = new LandingZone(ctx.spark(), ctx.settings().landingDir());
    int rawMax = rawMaxChars(ctx.settings());
    int threads = Math.min(sources.size(), ctx.settings().positiveInt("plg360.ingest.parallel-sources"));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "ingest");
      t.setDaemon(true);
      return t;
    });
    Map<String, List<Row>> ingested = LandingZone.ingested(ctx.lake());
    List<Landed> landed = new ArrayList<>();
    try {
      // Sources are independent: each finishes or fails on its own, and a failed one is retried by the next run.
      List<String> failed = new ArrayList<>();
      Exception first = null;
      for (List<SourceSpec> wave : waves(sources)) {
        List<Future<Optional<Landed>>> running = new ArrayList<>();
        for (SourceSpec spec : wave) {
          running.add(pool.submit(() -> {
            Thread.currentThread().setName("ingest-" + spec.name());
            return ingest(ctx, landing, spec, ingested.getOrDefault(spec.name(), List.of()), rawMax);
          }));
        }
        for (int i = 0; i < running.size(); i++) {
          try {
            running.get(i).get().ifPresent(landed::add);
          } catch (ExecutionException e) {
            failed.add(wave.get(i).name());
            first = first == null ? (Exception) e.getCause() : first;
            LOG.error("{}: failed: {}", wave.get(i).name(), RunLog.describe(e.getCause()));
          }
        }
      }
      record(ctx, landed);
      if (first != null) {
        throw new IllegalStateException("ingest of " + String.join(", ", failed) + " failed; the other sources landed", first);
      }
    } finally {
      pool.shutdownNow();
      landed.forEach(l -> l.checked().unpersist());
    }
  }

  /**
   * The sources in the order they land: a source that looks up a table another source of this run writes lands after
   * it (its records then find what that source landed); the others land side by side in the first wave.
   */
  public static List<List<SourceSpec>> waves(List<SourceSpec> sources) {
    List<List<SourceSpec>> waves = new ArrayList<>();
    List<SourceSpec> left = new ArrayList<>(sources);
    while (!left.isEmpty()) {
      List<SourceSpec> ready = left.stream().filter(s -> s.lookups().values().stream().noneMatch(l ->
          left.stream().anyMatch(other -> other != s && other.table().equals(l.table())))).toList();
      if (ready.isEmpty()) {
        throw new SettingsException("plg360.ingest.sources: the lookups of " + left.stream().map(SourceSpec::name).toList()
            + " wait on each other's tables: one of them must look up a table none of the others writes");
      }
      waves.add(ready);
      left.removeAll(ready);
    }
    return waves;
  }

  /**
   * What one source landed, for the writes all sources share: its rejected records and its files. They are written
   * once for every source, after the sources' bronze inserts: a run stopped before them reads those files again
   * and finds their records in bronze already (their file and line), which is what makes the order safe.
   */
  private record Landed(SourceSpec spec, Dataset<Row> checked, Optional<Dataset<Row>> quarantine, List<Row> files) {}

  /** The quarantine of every source in one commit, then the files of every source in one commit. */
  private static void record(JobContext ctx, List<Landed> landed) {
    List<String> names = landed.stream().map(l -> l.spec().name()).toList();
    landed.stream().flatMap(l -> l.quarantine().stream()).reduce(Dataset::union).ifPresent(rows ->
        ctx.metrics().wrote(ctx.lake().insertNew(rows, Quarantine.TABLE,
            Optional.of(Quarantine.SOURCE.of("t").isin(names.toArray())))));
    List<Row> files = landed.stream().flatMap(l -> l.files().stream()).toList();
    if (!files.isEmpty()) {
      ctx.metrics().wrote(ctx.lake().upsert(ctx.spark().createDataFrame(files, IngestedFiles.TABLE.schema()),
          IngestedFiles.TABLE, Optional.of(IngestedFiles.SOURCE.of("t").isin(names.toArray()))));
    }
  }

  public static int rawMaxChars(Settings settings) {
    return settings.positiveInt("plg360.ingest.quarantine-raw-max-chars");
  }

  /** Lands the source's new files in bronze; empty when it has none. {@code ingested}: its files ingested before. */
  private Optional<Landed> ingest(JobContext ctx, LandingZone landing, SourceSpec spec, List<Row> ingested, int rawMax) {
    Lake lake = ctx.lake();
    Map<LandingFile, LandingZone.Scanned> files = landing.newFiles(spec, ingested);
    if (files.isEmpty()) {
      LOG.info("{}: no new files under {}/{}", spec.name(), landing.rootUri(), spec.dir());
      return Optional.empty();
    }
    long bytes = files.keySet().stream().mapToLong(LandingFile::size).sum();
    LOG.info("{}: {} new files, {} MB -> {}", spec.name(), files.size(), bytes / 1_000_000, spec.table());
    Timestamp at = Timestamp.from(ctx.startedAt());

    Dataset<Row> raw = withFileTimes(ctx, spec, raw(ctx, landing, spec, files), files);
    // Read three times (the counts, bronze, quarantine), kept on local disk only. A partition is up to 128 MB of
    // landing files, some 400 MB as checked rows; with MEMORY_AND_DISK_SER such a block, once spilled, is put back in
    // memory as one array of its size when read, which ended a 100,000-workspace ingest with 8 GiB of heap, half free.
    Map<String, Dataset<Row>> lookups = new HashMap<>();
    spec.lookups().forEach((name, l) -> lookups.put(name, lake.read(l.table())));
    Dataset<Row> checked = IngestTransforms.markBatchDuplicates(IngestTransforms.check(raw, spec, rawMax, lookups), spec.key())
        .persist(StorageLevel.DISK_ONLY());
    boolean handedOver = false;
    try {
      // Keys are compared with the whole table (its key and lineage columns only): a replayed record may carry
      // another date than the first one did, and so sit in another partition. What is new after this comparison is
      // appended as it is: the run lock keeps every other writer of bronze out until this run ends, and a run killed
      // after its append finds those rows here as an earlier run's.
      Set<String> newVersions = new HashSet<>();
      files.forEach((f, scanned) -> {
        if (scanned.newVersion()) {
          newVersions.add(f.path());
        }
      });
      // Against what earlier runs landed: the frame is read again after this run's insert, and must then say the same.
      Dataset<Row> earlier = lake.read(spec.table()).where(Lineage.RUN_ID.col().notEqual(ctx.runId()));
      Dataset<Row> classified = IngestTransforms.classifyAgainstExisting(checked, earlier, spec.key(), newVersions);
      if (spec.versionFromFile().isPresent()) {
        classified = IngestTransforms.markUnchanged(classified, earlier, spec);
      }

      // One pass counts every outcome per file, so writes with nothing to write are skipped.
      Map<String, Long> perFile = new HashMap<>();
      Map<String, Long> perReason = new TreeMap<>();
      long toInsert = 0;
      for (Row r : classified.groupBy(col(Lineage.SOURCE_FILE.name()), col(IngestTransforms.REASON),
          col(IngestTransforms.ALREADY_INGESTED)).count().collectAsList()) {
        long n = r.getLong(3);
        perFile.merge(r.getString(0), n, Long::sum);
        if (!r.isNullAt(1)) {
          perReason.merge(r.getString(1), n, Long::sum);
        } else if (!r.getBoolean(2)) {
          toInsert += n;
        }
      }
      if (toInsert > 0) {
        ctx.metrics().wrote(lake.append(IngestTransforms.toBronze(classified, ctx.runId(), at), spec.table()));
      }
      Optional<Dataset<Row>> quarantine = perReason.isEmpty() ? Optional.empty()
          : Optional.of(IngestTransforms.toQuarantine(classified, checksums(ctx, files), spec, ctx.runId(), at));
      perReason.forEach(ctx.metrics()::rejected);
      long records = perFile.values().stream().mapToLong(Long::longValue).sum();
      ctx.metrics().read(spec.name(), records);
      LOG.info("{}: {} records, {} new in {}, {} quarantined {}", spec.name(), records, toInsert, spec.table(),
          perReason.values().stream().mapToLong(Long::longValue).sum(), perReason);
      handedOver = true;
      return Optional.of(new Landed(spec, checked, quarantine, fileRows(ctx, spec, files, perFile, at)));
    } finally {
      if (!handedOver) {
        checked.unpersist();
      }
    }
  }

  /** Each new file's path and checksum: the version its quarantined records came from. */
  private static Dataset<Row> checksums(JobContext ctx, Map<LandingFile, LandingZone.Scanned> files) {
    List<Row> rows = new ArrayList<>();
    files.forEach((f, scanned) -> rows.add(RowFactory.create(f.path(), scanned.checksum())));
    return ctx.spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add(Lineage.SOURCE_FILE.name(), org.apache.spark.sql.types.DataTypes.StringType)
        .add(Quarantine.FILE_CHECKSUM.name(), org.apache.spark.sql.types.DataTypes.StringType));
  }

  /** For a snapshot export, each record with its file's modification time: the version of what it says. */
  private static Dataset<Row> withFileTimes(JobContext ctx, SourceSpec spec, Dataset<Row> raw,
                                            Map<LandingFile, LandingZone.Scanned> files) {
    if (spec.versionFromFile().isEmpty()) {
      return raw;
    }
    List<Row> rows = new ArrayList<>();
    files.keySet().forEach(f -> rows.add(RowFactory.create(f.path(), new Timestamp(f.modifiedAt()))));
    Dataset<Row> times = ctx.spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add(RawRecords.FILE, org.apache.spark.sql.types.DataTypes.StringType)
        .add(RawRecords.FILE_TIME, org.apache.spark.sql.types.DataTypes.TimestampType));
    return raw.join(org.apache.spark.sql.functions.broadcast(times),
        scala.collection.JavaConverters.asScalaBuffer(List.of(RawRecords.FILE)).toSeq(), "left");
  }

  /** The records of the new files; a file that cannot be read is one record, quarantined with why. */
  private static Dataset<Row> raw(JobContext ctx, LandingZone landing, SourceSpec spec,
                                  Map<LandingFile, LandingZone.Scanned> files) {
    List<LandingFile> readable = new ArrayList<>();
    Map<LandingFile, String> unreadable = new java.util.LinkedHashMap<>();
    files.forEach((f, scanned) -> {
      if (scanned.readable()) {
        readable.add(f);
      } else {
        unreadable.put(f, scanned.unreadable());
        LOG.warn("{}: {} cannot be read, quarantined whole: {}", spec.name(), f.path(), scanned.unreadable());
      }
    });
    Dataset<Row> bad = RawRecords.unreadable(ctx.spark(), unreadable);
    return readable.isEmpty() ? bad : RawRecords.read(ctx.spark(), spec.format(), readable, landing.rootUri()).unionByName(bad);
  }

  /** The source's new files as rows of ops.ingested_files, with the records each held. */
  private static List<Row> fileRows(JobContext ctx, SourceSpec spec, Map<LandingFile, LandingZone.Scanned> files,
                                    Map<String, Long> perFile, Timestamp at) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<LandingFile, LandingZone.Scanned> e : files.entrySet()) {
      LandingFile f = e.getKey();
      rows.add(RowFactory.create(spec.name(), f.path(), f.size(), new Timestamp(f.modifiedAt()), e.getValue().checksum(),
          perFile.getOrDefault(f.path(), 0L), ctx.runId(), at));
    }
    return rows;
  }
}
