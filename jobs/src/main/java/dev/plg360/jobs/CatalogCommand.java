package dev.plg360.jobs;

import dev.plg360.common.tables.CatalogDoc;
import dev.plg360.common.tables.Tables;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "Print every table of the catalog (layer, grain, key, columns with their types and comments) as "
        + "Markdown: docs/TABLES.md is this, written with --out docs/TABLES.md. Needs no Spark.")
final class CatalogCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to this file instead of printing.")
  Path out;

  @Override
  public Integer call() throws Exception {
    String md = CatalogDoc.markdown(Tables.all());
    if (out != null) {
      Files.writeString(out, md, StandardCharsets.UTF_8);
      spec.commandLine().getOut().printf("wrote %s (%d tables)%n", out, Tables.all().size());
    } else {
      PrintWriter w = spec.commandLine().getOut();
      w.print(md);
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
