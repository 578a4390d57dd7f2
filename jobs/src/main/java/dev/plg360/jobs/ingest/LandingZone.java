package dev.plg360.jobs.ingest;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Tables.IngestedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** Lists a source's landing files and tells which are new: not ingested before with the same size and content. */
public final class LandingZone {
  private final SparkSession spark;
  private final Path root;
  private final String rootUri;

  public LandingZone(SparkSession spark, String landingDir) {
    this.spark = spark;
    try {
      Path p = new Path(landingDir);
      FileSystem fs = p.getFileSystem(hadoopConf());
      this.root = fs.makeQualified(p);
      this.rootUri = normalize(root.toUri().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open landing folder " + landingDir, e);
    }
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /** The landing folder as a qualified URI, e.g. file:/data/landing. */
  public String rootUri() {
    return rootUri;
  }

  /** Files of the source, sorted by path; hidden files (".x", "_x") and folders are skipped. */
  public List<LandingFile> list(SourceSpec spec) {
    Path dir = new Path(root, spec.dir());
    Pattern names = spec.fileRegex();
    List<LandingFile> out = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf());
      if (!fs.exists(dir)) {
        return out;
      }
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        LocatedFileStatus st = it.next();
        String name = st.getPath().getName();
        if (name.startsWith(".") || name.startsWith("_") || !names.matcher(name).matches()) {
          continue;
        }
        String uri = st.getPath().toUri().toString();
        out.add(new LandingFile(uri, relative(uri), st.getLen(), st.getModificationTime()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort(Comparator.comparing(LandingFile::path));
    return out;
  }

  String relative(String uri) {
    return relative(uri, rootUri);
  }

  /** A file's path relative to the landing folder, whichever way the file system spelt the URI. */
  static String relative(String uri, String rootUri) {
    String u = normalize(uri);
    String prefix = rootUri.endsWith("/") ? rootUri : rootUri + "/";
    return u.startsWith(prefix) ? u.substring(prefix.length()) : u;
  }

  /** Local files are written file:/x by Hadoop's Path and file:///x by others; this is Hadoop's form. */
  static String normalize(String uri) {
    return uri.replaceFirst("^file:/+", "file:/");
  }

  /**
   * The files not yet ingested. A file whose path, size and modification time match an ingested one is skipped
   * at once; one whose time changed but whose size and checksum match is skipped too. Returns each new file with
   * its checksum.
   */
  public Map<LandingFile, String> newFiles(SourceSpec spec, Lake lake) {
    List<LandingFile> files = list(spec);
    if (files.isEmpty()) {
      return Map.of();
    }
    Set<String> seenByTime = new HashSet<>();
    Set<String> seenByContent = new HashSet<>();
    for (Row r : lake.read(IngestedFiles.TABLE)
        .where(IngestedFiles.SOURCE.col().equalTo(spec.name()))
        .select(IngestedFiles.PATH.col(), IngestedFiles.SIZE.col(), IngestedFiles.MODIFIED_AT.col(), IngestedFiles.CHECKSUM.col())
        .collectAsList()) {
      seenByTime.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getTimestamp(2).getTime());
      seenByContent.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getString(3));
    }
    List<LandingFile> candidates = files.stream()
        .filter(f -> !seenByTime.contains(f.path() + "|" + f.size() + "|" + f.modifiedAt()))
        .toList();
    Map<LandingFile, String> out = new java.util.LinkedHashMap<>();
    Map<String, String> sums = checksums(candidates);
    for (LandingFile f : candidates) {
      String sum = sums.get(normalize(f.uri()));
      if (!seenByContent.contains(f.path() + "|" + f.size() + "|" + sum)) {
        out.put(f, sum);
      }
    }
    return out;
  }

  /** The files as (URI, stream) pairs on the executors, one task per file or two per core, whichever is fewer. */
  static JavaPairRDD<String, PortableDataStream> open(SparkSession spark, List<LandingFile> files) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String paths = String.join(",", files.stream().map(LandingFile::uri).toList());
    return jsc.binaryFiles(paths, Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 2)));
  }

  /** CRC32C of each file's bytes, computed in parallel on the executors. */
  private Map<String, String> checksums(List<LandingFile> files) {
    if (files.isEmpty()) {
      return Map.of();
    }
    List<Tuple2<String, String>> sums = open(spark, files)
        .mapToPair(f -> {
          CRC32C crc = new CRC32C();
          byte[] buf = new byte[1 << 16];
          try (InputStream in = f._2().open()) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
              crc.update(buf, 0, n);
            }
          }
          return new Tuple2<>(normalize(f._1()), Long.toHexString(crc.getValue()));
        })
        .collect();
    Map<String, String> out = new java.util.HashMap<>();
    for (Tuple2<String, String> t : sums) {
      out.put(t._1(), t._2());
    }
    return out;
  }
}
