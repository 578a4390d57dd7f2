package dev.plg360.jobs.report;

import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 report}: writes the current conversion model's card ({@value ModelCard#FILE}), the run report
 * ({@value RunReport#FILE}) and an index linking them into plg360.report.dir, each one self-contained HTML file
 * with its charts embedded as PNG. Reads the model tables and registry, ops.job_runs, bronze.quarantine and the
 * score tables; writes no table. A lake without a model gets a card that says so.
 */
public final class ReportJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);
  static final String INDEX = "index.html";

  private final List<String> files = new ArrayList<>();

  @Override
  public String name() {
    return "report";
  }

  @Override
  public void run(JobContext ctx) {
    ReportSettings s = ReportSettings.from(ctx.settings());
    Path dir = ctx.lake().folder(s.dir());
    ModelRegistry registry = new ModelRegistry(ctx.spark(), ctx.lake().file(ModelSettings.from(ctx.settings()).registryDir()));
    ModelCard.Data model = ModelCard.read(ctx.lake(), registry, ctx.metrics());
    RunReport.Data runs = RunReport.read(ctx.lake(), s, ctx.runId(), ctx.metrics());
    String generated = ctx.asOf() + " (run " + ctx.runId() + ")";
    write(ctx, dir, ModelCard.FILE, ModelCard.html(model));
    write(ctx, dir, RunReport.FILE, RunReport.html(runs, generated));
    write(ctx, dir, INDEX, index(model, generated));
  }

  /** The files written, in order. */
  public List<String> files() {
    return List.copyOf(files);
  }

  private static String index(ModelCard.Data model, String generated) {
    String card = model.model().map(m -> "current model " + model.current().orElseThrow()).orElse("no model yet");
    return Html.page("plg360 reports", "As of " + generated,
        "<ul>\n<li>" + Html.link(ModelCard.FILE, "Model card") + ": " + Html.escape(card) + "</li>\n<li>"
            + Html.link(RunReport.FILE, "Run report") + ": job runs, quarantine, scores, segments and leads</li>\n</ul>\n");
  }

  private void write(JobContext ctx, Path dir, String name, String html) {
    Path file = new Path(dir, name);
    try {
      FileSystem fs = file.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      // The local file system would leave a .crc file beside each report; a person opens these, no program checks them.
      FileSystem raw = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
      try (OutputStream out = raw.create(file, true)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    ctx.metrics().wrote(file.toString(), 1);
    files.add(file.toString());
    LOG.info("run {}: wrote {} ({} KB)", ctx.runId(), file, html.length() / 1024);
  }
}
