package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import dev.plg360.jobs.generate.GenerateSettings.Shapes;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The landing files of one partition, written through Hadoop's FileSystem API with stable names: each file is
 * written under a hidden name and renamed when complete, so ingest never sees half a file. Passes every record
 * through the {@link DefectPlanter} and keeps, for the truth, each planted defect with its file and line and the
 * number of records written per source. A snapshot export (realistic Salesforce) holds each record changed in its day
 * once, with its values at the day's end, and the file's modification time is that export time.
 */
final class PartitionFiles implements Landing, AutoCloseable {

  private final FileSystem fs;
  private final Path landing;
  private final int partition;
  private final DefectPlanter planter;
  private final Shapes shapes;
  private final Map<Feed, OpenFile> open = new EnumMap<>(Feed.class);
  private final Set<String> closed = new HashSet<>();
  private final CsvText csv;
  /** Snapshot feeds: the records changed on the current day, by Id, written at the day's end. */
  private final Map<Feed, Map<String, Salesforce.Record>> changedToday = new EnumMap<>(Feed.class);
  private LocalDate today;
  /** Snapshot feeds: each record's last exported text, so that a record whose values did not change is not exported. */
  private final Map<String, String> lastExported = new HashMap<>();

  final List<Truth.Defect> defects = new ArrayList<>();
  final Map<String, Long> records = new TreeMap<>();
  final Map<String, Long> files = new TreeMap<>();

  PartitionFiles(FileSystem fs, Path landing, int partition, DefectPlanter planter, Shapes shapes) {
    this.fs = fs;
    this.landing = landing;
    this.partition = partition;
    this.planter = planter;
    this.shapes = shapes;
    this.csv = new CsvText(shapes == Shapes.REALISTIC);
  }

  @Override
  public void json(Feed feed, LocalDate day, ObjectNode record) {
    ObjectNode version = feed == Feed.STRIPE && shapes == Shapes.REALISTIC
        ? ((ObjectNode) record.path("data").path("object")).deepCopy().put("updated", record.path("created").asLong()) : null;
    OpenFile f = fileFor(feed, day);
    for (DefectPlanter.Line line : planter.json(feed, record)) {
      f.addJson(line);
    }
    if (version != null) {
      // The same change as the Subscription object an incremental export keeps, stamped with its update time.
      OpenFile objects = fileFor(Feed.STRIPE_SUBSCRIPTION, day);
      for (DefectPlanter.Line line : planter.json(Feed.STRIPE_SUBSCRIPTION, version)) {
        objects.addJson(line);
      }
    }
  }

  @Override
  public void csv(Feed feed, LocalDate day, Salesforce.Record record) {
    if (feed.isSnapshot(shapes)) {
      if (!day.equals(today)) {
        endOfDay(today);
        today = day;
      }
      changedToday.computeIfAbsent(feed, f -> new LinkedHashMap<>()).put(record.id(), record);
      return;
    }
    write(feed, day, record);
  }

  private void write(Feed feed, LocalDate day, Salesforce.Record record) {
    OpenFile f = fileFor(feed, day);
    for (DefectPlanter.Line line : planter.csv(feed, record)) {
      f.addCsv(line);
    }
  }

  /** Exports the day's snapshot of every record changed that day whose values differ from its last export. */
  @Override
  public void endOfDay(LocalDate day) {
    if (day == null || !day.equals(today)) {
      return;
    }
    for (Map.Entry<Feed, Map<String, Salesforce.Record>> e : changedToday.entrySet()) {
      for (Salesforce.Record r : e.getValue().values()) {
        String text = planter.cleanCsv(e.getKey(), r);
        if (!text.equals(lastExported.put(e.getKey() + "/" + r.id(), text))) {
          write(e.getKey(), day, r);
        }
      }
    }
    changedToday.clear();
    today = null;
  }

  private OpenFile fileFor(Feed feed, LocalDate day) {
    String rel = feed.file(day, partition, shapes);
    OpenFile f = open.get(feed);
    if (f != null && f.rel.equals(rel)) {
      return f;
    }
    if (f != null) {
      f.close();
    }
    if (closed.contains(rel)) {
      throw new IllegalStateException(rel + " was already closed: records of " + feed + " must come in day order");
    }
    f = new OpenFile(feed, rel, day);
    open.put(feed, f);
    return f;
  }

  @Override
  public void close() {
    endOfDay(today);
    for (OpenFile f : open.values()) {
      f.close();
    }
    open.clear();
  }

  private final class OpenFile {
    final Feed feed;
    final String rel;
    final Path tmp;
    final Path dst;
    final Writer out;
    /** A snapshot export's time: the end of its day. */
    final Long exportedAtMillis;
    long lines;
    DefectPlanter.Line pending;
    long pendingLine;

    OpenFile(Feed feed, String rel, LocalDate day) {
      this.feed = feed;
      this.rel = rel;
      this.dst = new Path(landing, rel);
      this.tmp = new Path(dst.getParent(), "." + dst.getName() + ".inprogress");
      this.exportedAtMillis = feed.isSnapshot(shapes)
          ? day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - 1000 : null;
      if (exportedAtMillis != null) {
        planter.startSnapshot(feed);
      }
      try {
        this.out = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, true), StandardCharsets.UTF_8), 1 << 16);
        if (feed.isCsv()) {
          write(csv.format(feed.columns(shapes).toArray(String[]::new)) + "\n");
          lines = 1;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + tmp, e);
      }
      files.merge(feed.source(), 1L, Long::sum);
    }

    /** JSON lines: the last line is held back, so that the file's last record can be cut when it closes. */
    void addJson(DefectPlanter.Line line) {
      flushPending(true);
      lines++;
      pending = line;
      pendingLine = lines;
      count(line, lines);
    }

    void addCsv(DefectPlanter.Line line) {
      long start = lines + 1;
      write(line.text() + "\n");
      lines += 1 + line.text().chars().filter(ch -> ch == '\n').count();
      count(line, start);
      if (line.isClean()) {
        planter.remember(feed, line.text());
      }
    }

    private void count(DefectPlanter.Line line, long at) {
      records.merge(feed.source(), 1L, Long::sum);
      if (!line.isClean()) {
        defects.add(new Truth.Defect(line.kind(), feed.source(), rel, at, line.expectedReason(), line.detail()));
      }
    }

    private void flushPending(boolean newline) {
      if (pending == null) {
        return;
      }
      write(pending.text() + (newline ? "\n" : ""));
      if (pending.isClean()) {
        planter.remember(feed, pending.text());
      }
      pending = null;
    }

    void close() {
      Optional<DefectPlanter.Line> cut = planter.truncateLast(feed, pending);
      if (cut.isPresent()) {
        DefectPlanter.Line c = cut.get();
        write(c.text());
        defects.add(new Truth.Defect(c.kind(), feed.source(), rel, pendingLine, c.expectedReason(), c.detail()));
        pending = null;
      } else {
        flushPending(true);
      }
      try {
        out.close();
        if (!fs.rename(tmp, dst)) {
          throw new IOException("rename failed");
        }
        if (exportedAtMillis != null) {
          fs.setTimes(dst, exportedAtMillis, -1);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot finish " + dst, e);
      }
      closed.add(rel);
    }

    private void write(String text) {
      try {
        out.write(text);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + tmp, e);
      }
    }
  }
}
