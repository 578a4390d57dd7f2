package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
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
 * number of records written per source.
 */
final class PartitionFiles implements Landing, AutoCloseable {

  private final FileSystem fs;
  private final Path landing;
  private final int partition;
  private final DefectPlanter planter;
  private final Map<Feed, OpenFile> open = new EnumMap<>(Feed.class);
  private final Set<String> closed = new HashSet<>();
  private final CsvText csv = new CsvText();

  final List<Truth.Defect> defects = new ArrayList<>();
  final Map<String, Long> records = new TreeMap<>();
  final Map<String, Long> files = new TreeMap<>();

  PartitionFiles(FileSystem fs, Path landing, int partition, DefectPlanter planter) {
    this.fs = fs;
    this.landing = landing;
    this.partition = partition;
    this.planter = planter;
  }

  @Override
  public void json(Feed feed, LocalDate day, ObjectNode record) {
    OpenFile f = fileFor(feed, day);
    for (DefectPlanter.Line line : planter.json(feed, record)) {
      f.addJson(line);
    }
  }

  @Override
  public void csv(Feed feed, LocalDate day, Salesforce.Record record) {
    OpenFile f = fileFor(feed, day);
    for (DefectPlanter.Line line : planter.csv(feed, record.row())) {
      f.addCsv(line);
    }
  }

  private OpenFile fileFor(Feed feed, LocalDate day) {
    String rel = feed.file(day, partition);
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
    f = new OpenFile(feed, rel);
    open.put(feed, f);
    return f;
  }

  @Override
  public void close() {
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
    long lines;
    DefectPlanter.Line pending;
    long pendingLine;

    OpenFile(Feed feed, String rel) {
      this.feed = feed;
      this.rel = rel;
      this.dst = new Path(landing, rel);
      this.tmp = new Path(dst.getParent(), "." + dst.getName() + ".inprogress");
      try {
        this.out = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, true), StandardCharsets.UTF_8), 1 << 16);
        if (feed.isCsv()) {
          write(csv.format(feed.columns().toArray(String[]::new)) + "\n");
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
