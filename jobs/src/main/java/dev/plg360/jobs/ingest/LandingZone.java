package dev.plg360.jobs.ingest;

import dev.plg360.common.io.Lake;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables.IngestedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
   * Every file ingested before, per source: (path, size, modified_at, checksum) rows of ops.ingested_files, read in
   * one pass for all sources.
   */
  public static Map<String, List<Row>> ingested(Lake lake) {
    Map<String, List<Row>> out = new java.util.HashMap<>();
    for (Row r : lake.read(IngestedFiles.TABLE).select(IngestedFiles.SOURCE.col(), IngestedFiles.PATH.col(),
        IngestedFiles.SIZE.col(), IngestedFiles.MODIFIED_AT.col(), IngestedFiles.CHECKSUM.col()).collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
          .add(RowFactory.create(r.get(1), r.get(2), r.get(3), r.get(4)));
    }
    return out;
  }

  /**
   * The files not yet ingested ({@code ingested}: the source's rows of {@link #ingested}). A file whose path, size and modification time match an ingested one is skipped
   * at once; one whose time changed but whose size and checksum match is skipped too. Returns each new file with
   * what the checksum pass found: its checksum and, for a file that cannot be read to its end as text, why.
   */
  public Map<LandingFile, Scanned> newFiles(SourceSpec spec, List<Row> ingested) {
    List<LandingFile> files = list(spec);
    if (files.isEmpty()) {
      return Map.of();
    }
    Set<String> seenByTime = new HashSet<>();
    Set<String> seenByContent = new HashSet<>();
    for (Row r : ingested) {
      seenByTime.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getTimestamp(2).getTime());
      seenByContent.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getString(3));
    }
    List<LandingFile> candidates = files.stream()
        .filter(f -> !seenByTime.contains(f.path() + "|" + f.size() + "|" + f.modifiedAt()))
        .toList();
    Set<String> seenPaths = new HashSet<>();
    seenByContent.forEach(k -> seenPaths.add(k.substring(0, k.indexOf('|'))));
    Map<LandingFile, Scanned> out = new java.util.LinkedHashMap<>();
    Map<String, Scanned> scans = scan(candidates);
    for (LandingFile f : candidates) {
      Scanned scanned = scans.get(normalize(f.uri()));
      if (!seenByContent.contains(f.path() + "|" + f.size() + "|" + scanned.checksum())) {
        out.put(f, seenPaths.contains(f.path()) ? scanned.asNewVersion() : scanned);
      }
    }
    return out;
  }

  /**
   * A new file as the checksum pass saw it: the CRC32C of its bytes, null or why it cannot be read (a gzip cut off,
   * bytes that are not of the compression its name says, text that is not UTF-8), and whether it is a new version of
   * a file ingested before under the same path (delivered again with other content).
   */
  public record Scanned(String checksum, String unreadable, boolean newVersion) implements Serializable {
    public boolean readable() {
      return unreadable == null;
    }

    Scanned asNewVersion() {
      return new Scanned(checksum, unreadable, true);
    }
  }

  /** The files as (URI, stream) pairs on the executors, one task per file or two per core, whichever is fewer. */
  static JavaPairRDD<String, PortableDataStream> open(SparkSession spark, List<LandingFile> files) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String paths = String.join(",", files.stream().map(LandingFile::uri).toList());
    return jsc.binaryFiles(paths, Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 2)));
  }

  /**
   * Each file's checksum, and whether it reads to its end as text the way ingest will read it (decompressed by the
   * codec its name gives, decoded as UTF-8), in one pass over its bytes on the executors. A file that fails here is
   * quarantined whole instead of failing its source's read on every run.
   */
  private Map<String, Scanned> scan(List<LandingFile> files) {
    if (files.isEmpty()) {
      return Map.of();
    }
    List<Tuple2<String, Scanned>> scans = open(spark, files)
        .mapToPair(f -> new Tuple2<>(normalize(f._1()), scan(f._1(), f._2())))
        .collect();
    Map<String, Scanned> out = new java.util.HashMap<>();
    for (Tuple2<String, Scanned> t : scans) {
      out.put(t._1(), t._2());
    }
    return out;
  }

  private static Scanned scan(String uri, PortableDataStream file) throws IOException {
    CRC32C crc = new CRC32C();
    String unreadable = null;
    try (InputStream bytes = new CheckedInputStream(file.open(), crc)) {
      try {
        readAsText(uri, bytes);
      } catch (IOException | RuntimeException e) {
        unreadable = RunLog.describe(e);
      }
      bytes.transferTo(OutputStream.nullOutputStream());
    }
    return new Scanned(Long.toHexString(crc.getValue()), unreadable, false);
  }

  /** A file's bytes as ingest reads them: decompressed by the codec its name gives (.gz, .bz2, ...), if any. */
  static InputStream decompressed(String uri, InputStream bytes) throws IOException {
    CompressionCodec codec = new CompressionCodecFactory(new Configuration(false)).getCodec(new Path(uri));
    return codec == null ? bytes : codec.createInputStream(bytes);
  }

  /** Reads the file to its end as UTF-8 text; a byte sequence UTF-8 does not allow fails, naming its line. */
  private static void readAsText(String uri, InputStream bytes) throws IOException {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    InputStream text = decompressed(uri, bytes);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(1 << 16);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(1 << 16);
    long line = 1;
    for (boolean end = false; !end; ) {
      int n = text.read(in.array(), in.position(), in.remaining());
      end = n < 0;
      in.position(in.position() + Math.max(n, 0));
      in.flip();
      java.nio.charset.CoderResult r;
      do {
        r = utf8.decode(in, out, end);
        out.flip();
        for (int i = 0; i < out.limit(); i++) {
          line += out.get(i) == '\n' ? 1 : 0;
        }
        out.clear();
        if (r.isError()) {
          throw new IOException("not UTF-8 text: line " + line + " holds a byte sequence UTF-8 does not allow");
        }
      } while (r.isOverflow());
      in.compact();
    }
  }
}
