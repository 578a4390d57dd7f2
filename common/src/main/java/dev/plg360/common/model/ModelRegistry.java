package dev.plg360.common.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;

/**
 * Model versions under one folder of the lake (any Hadoop file system): {@code <version>/model} holds the fitted
 * PipelineModel, {@code <version>/metadata.json} its lineage, parameters, metrics and coefficients, and the file
 * {@code current} names the version that scores. A version appears whole or not at all (written beside it, then
 * renamed); the pointer is replaced last, so a failed run leaves the current model as it was.
 */
public final class ModelRegistry {
  private static final Pattern VERSION = Pattern.compile("v\\d{4,}");
  static final String CURRENT = "current";
  static final String CURRENT_STAGING = ".current.inprogress";
  public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final FileSystem fs;

  public ModelRegistry(SparkSession spark, Path dir) {
    this.dir = dir;
    try {
      this.fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the model registry at " + dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Every complete version, oldest first. */
  public List<String> versions() {
    List<String> out = new ArrayList<>();
    try {
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (st.isDirectory() && VERSION.matcher(name).matches()) {
          out.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort(Comparator.comparingInt(ModelRegistry::number));
    return out;
  }

  /** The version after the newest: v0001, v0002, ... */
  public String nextVersion() {
    List<String> all = versions();
    int last = all.isEmpty() ? 0 : number(all.get(all.size() - 1));
    return String.format("v%04d", last + 1);
  }

  /** A version's number: versions are numbered in the order they were trained. */
  public static int number(String version) {
    return Integer.parseInt(version.substring(1));
  }

  /** The version that scores, if any. */
  public Optional<String> current() {
    Optional<String> pointed = pointer(new Path(dir, CURRENT));
    // A promotion stopped between removing the old pointer and renaming the new one into place (a rename cannot
    // replace a file on every file system) left the new pointer, whole, under its staging name.
    return pointed.isPresent() ? pointed : pointer(new Path(dir, CURRENT_STAGING));
  }

  /** The version a pointer file names, when it is there and whole (a pointer cut off while written names none). */
  private Optional<String> pointer(Path file) {
    try {
      if (!fs.exists(file)) {
        return Optional.empty();
      }
      String version;
      try (InputStream in = fs.open(file)) {
        version = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      return VERSION.matcher(version).matches() ? Optional.of(version) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Writes a version whole: model and metadata into a hidden folder, then renamed to the version. */
  public void save(String version, PipelineModel model, ObjectNode metadata) {
    Path staging = new Path(dir, "." + version + ".inprogress");
    try {
      fs.delete(staging, true);
      model.write().overwrite().save(new Path(staging, "model").toString());
      write(new Path(staging, "metadata.json"), JSON.writeValueAsBytes(metadata));
      if (!fs.rename(staging, new Path(dir, version))) {
        throw new IOException("cannot rename " + staging + " to " + version + " (does it exist already?)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save model " + version + " under " + dir, e);
    }
  }

  /** Removes a version that a failed run left (never the current one). */
  public void delete(String version) {
    if (current().filter(version::equals).isPresent()) {
      throw new IllegalStateException("model " + version + " is current; it is not deleted");
    }
    try {
      fs.delete(new Path(dir, version), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete model " + version + " under " + dir, e);
    }
  }

  /**
   * Makes the version the current one: the new pointer is written whole under a staging name first, so at every
   * moment {@link #current()} finds either the old version or the new one.
   */
  public void promote(String version) {
    Path pointer = new Path(dir, CURRENT);
    Path staging = new Path(dir, CURRENT_STAGING);
    try {
      write(staging, (version + "\n").getBytes(StandardCharsets.UTF_8));
      fs.delete(pointer, false);
      if (!fs.rename(staging, pointer)) {
        throw new IOException("cannot rename " + staging + " to " + pointer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + version + " current under " + dir, e);
    }
  }

  public PipelineModel load(String version) {
    return PipelineModel.load(new Path(new Path(dir, version), "model").toString());
  }

  public JsonNode metadata(String version) {
    Path file = new Path(new Path(dir, version), "metadata.json");
    try (InputStream in = fs.open(file)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void write(Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
  }
}
