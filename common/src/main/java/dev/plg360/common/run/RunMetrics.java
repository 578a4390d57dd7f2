package dev.plg360.common.run;

import dev.plg360.common.io.WriteResult;
import java.util.Map;
import java.util.TreeMap;

/** What a run read, wrote and rejected, per table or reason, and the files it rewrote; written to ops.job_runs when the run ends. */
public final class RunMetrics {
  private final Map<String, Long> read = new TreeMap<>();
  private final Map<String, Long> written = new TreeMap<>();
  private final Map<String, Long> rejected = new TreeMap<>();
  private final Map<String, Long> versions = new TreeMap<>();
  private final Map<String, Long> files = new TreeMap<>();

  public synchronized void read(String what, long rows) {
    read.merge(what, rows, Long::sum);
  }

  public synchronized void wrote(WriteResult w) {
    written.merge(w.table().qualifiedName(), w.changed(), Long::sum);
    if (w.committed()) {
      versions.put(w.table().qualifiedName(), w.version());
    }
  }

  /** Rows written somewhere other than a Delta table (a database table, a file). */
  public synchronized void wrote(String what, long rows) {
    written.merge(what, rows, Long::sum);
  }

  /** Data files a table operation added, removed or deleted ({@code gold.signals:optimize_removed}): rows unchanged. */
  public synchronized void files(String what, long count) {
    files.merge(what, count, Long::sum);
  }

  public synchronized void rejected(String reason, long rows) {
    rejected.merge(reason, rows, Long::sum);
  }

  /** Adds what another run did (a step of a chain) to this one's counts; the newest version of a table wins. */
  public void add(RunMetrics other) {
    Map<String, Long> r = other.read();
    Map<String, Long> w = other.written();
    Map<String, Long> x = other.rejected();
    Map<String, Long> v = other.versions();
    Map<String, Long> f = other.files();
    synchronized (this) {
      r.forEach((k, n) -> read.merge(k, n, Long::sum));
      w.forEach((k, n) -> written.merge(k, n, Long::sum));
      x.forEach((k, n) -> rejected.merge(k, n, Long::sum));
      v.forEach((k, n) -> versions.merge(k, n, Math::max));
      f.forEach((k, n) -> files.merge(k, n, Long::sum));
    }
  }

  public synchronized Map<String, Long> read() {
    return Map.copyOf(read);
  }

  public synchronized Map<String, Long> written() {
    return Map.copyOf(written);
  }

  public synchronized Map<String, Long> rejected() {
    return Map.copyOf(rejected);
  }

  public synchronized Map<String, Long> versions() {
    return Map.copyOf(versions);
  }

  public synchronized Map<String, Long> files() {
    return Map.copyOf(files);
  }
}
