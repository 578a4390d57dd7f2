package dev.plg360.jobs.generate;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spark task: simulates one partition of the workspaces and writes its landing files and truth tables.
 * Everything it needs travels with it, so its output depends only on the settings and the partition index.
 */
final class PartitionTask implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionTask.class);
  private final GenerateSettings settings;
  private final Map<Feed, FeedMapping> mappings;
  private final String outUri;
  private final Map<String, String> hadoopConf;

  PartitionTask(GenerateSettings settings, Map<Feed, FeedMapping> mappings, String outUri, Map<String, String> hadoopConf) {
    this.settings = settings;
    this.mappings = mappings;
    this.outUri = outUri;
    this.hadoopConf = hadoopConf;
  }

  PartitionResult run(int partition) {
    long started = System.nanoTime();
    Configuration conf = new Configuration(false);
    hadoopConf.forEach(conf::set);
    Path out = new Path(outUri);
    // A private FileSystem instance: no checksum side files, and no change to the shared cached instance.
    try (FileSystem fs = FileSystem.newInstance(out.toUri(), conf)) {
      fs.setWriteChecksum(false);
      DefectPlanter planter = new DefectPlanter(settings, mappings, new Rng(settings.seed(), partition, 9),
          new Rng(settings.seed(), partition, 10), partition);
      PartitionFiles files = new PartitionFiles(fs, new Path(out, Generator.LANDING), partition, planter,
          settings.shapes());
      Simulator sim = new Simulator(settings, partition, files);
      sim.run();
      files.close();
      TruthFiles.write(fs, new Path(out, Generator.TRUTH), partition, sim, files);
      PartitionResult result = PartitionResult.of(sim, files);
      LOG.info("generate: partition {} done: {} workspaces, {} records in {} files ({} s)", partition,
          result.workspaces(), result.totalRecords(), result.totalFiles(), (System.nanoTime() - started) / 1_000_000_000L);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("partition " + partition + ": " + e.getMessage(), e);
    }
  }
}
