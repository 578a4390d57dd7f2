package dev.plg360.jobs.generate;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** What one partition wrote: records and files per ingest source, defects per kind, workspaces and labels. */
record PartitionResult(Map<String, Long> records, Map<String, Long> files, Map<String, Long> defects,
                       Map<String, Long> rejectedDefects, long workspaces, long users, long labelled,
                       long converted, double probabilitySum) implements Serializable {

  static PartitionResult of(Simulator sim, PartitionFiles files) {
    Map<String, Long> defects = new TreeMap<>();
    Map<String, Long> rejected = new TreeMap<>();
    for (Truth.Defect d : files.defects) {
      defects.merge(d.kind(), 1L, Long::sum);
      if (d.rejectedByIngest()) {
        rejected.merge(d.source(), 1L, Long::sum);
      }
    }
    long labelled = 0;
    long converted = 0;
    double sum = 0;
    for (World.Workspace w : sim.workspaces) {
      if (w.probability != null && sim.labelComplete(w)) {
        labelled++;
        converted += w.converted ? 1 : 0;
        sum += w.probability;
      }
    }
    long users = sim.people.stream().filter(p -> p.userId != null).count();
    return new PartitionResult(new TreeMap<>(files.records), new TreeMap<>(files.files), defects, rejected,
        sim.workspaces.size(), users, labelled, converted, sum);
  }

  static PartitionResult empty() {
    return new PartitionResult(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), 0, 0, 0, 0, 0);
  }

  PartitionResult plus(PartitionResult o) {
    return new PartitionResult(sum(records, o.records), sum(files, o.files), sum(defects, o.defects),
        sum(rejectedDefects, o.rejectedDefects), workspaces + o.workspaces, users + o.users, labelled + o.labelled,
        converted + o.converted, probabilitySum + o.probabilitySum);
  }

  private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new TreeMap<>(a);
    b.forEach((k, v) -> out.merge(k, v, Long::sum));
    return out;
  }

  long totalRecords() {
    return records.values().stream().mapToLong(Long::longValue).sum();
  }

  long totalFiles() {
    return files.values().stream().mapToLong(Long::longValue).sum();
  }

  long totalDefects() {
    return defects.values().stream().mapToLong(Long::longValue).sum();
  }
}
